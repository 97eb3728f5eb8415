/*
 * The lab itself (lab/mixlab up): two real daemons, the lab images on both,
 * the daemon map, and the routed path between the two daemons' containers
 * that the one DOCKER-USER rule opens, as in the seed's LAB3.  Everything
 * here talks to the daemons through lab_util's plain HTTP or the docker CLI,
 * never through engine/, so it checks the lab independently of the code
 * under test.  Containers and networks made here are named mixlab-test-*,
 * carry the label io.mixcompose.test=lab, use 172.30.252.0/24 (linux) and
 * 172.30.253.0/24 (windows), and are removed by the fini hook.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_util.h"

#define TEST_LABEL "io.mixcompose.test=lab"
#define NET_LINUX "mixlab-test-lnx"
#define NET_WINDOWS "mixlab-test-win"
#define IP_CLIENT "172.30.252.2"
#define IP_NGINX "172.30.252.3"
#define IP_WEB "172.30.253.2"
#define NGINX_PORT 18480
#define RULE "-s " LAB_RANGE " -d " LAB_RANGE " -j ACCEPT"

static const struct {
	const char *name;
	const char *sock;
} lab[] = {{"linux", LAB_LINUX_SOCK}, {"windows", LAB_WINDOWS_SOCK}};

static const char *const lab_images[] = {LAB_IMAGE_BUSYBOX, LAB_IMAGE_NGINX,
					 LAB_IMAGE_WEBAPP};

static void lab_must_be_up(void)
{
	for (size_t i = 0; i < 2; i++)
		cr_assert(lab_daemon_up(lab[i].sock),
			  "lab daemon '%s' does not answer on %s: run "
			  "'lab/mixlab up' first",
			  lab[i].name, lab[i].sock);
}

/* GET on a lab daemon; asserts the transport worked. */
static void lab_get(struct lab_http *r, const char *sock, const char *path)
{
	cr_assert_eq(lab_http_unix(r, sock, "GET", path, NULL), 0,
		     "GET %s on %s failed", path, sock);
}

Test(integration_lab, both_daemons_answer_ping)
{
	lab_must_be_up();
	for (size_t i = 0; i < 2; i++) {
		struct lab_http r;
		char *api, *os;

		lab_get(&r, lab[i].sock, "/_ping");
		cr_assert_eq(r.status, 200);
		cr_assert_str_eq(r.body.buf, "OK");
		api = lab_http_header(&r, "api-version");
		os = lab_http_header(&r, "OSTYPE");
		cr_assert_not_null(api, "%s: no Api-Version header",
				   lab[i].name);
		cr_assert(strncmp(api, "1.", 2) == 0, "%s: Api-Version '%s'",
			  lab[i].name, api);
		cr_assert_str_eq(os, "linux");
		free(api);
		free(os);
		lab_http_release(&r);
	}
}

/* Both report linux, and they are two daemons, not one socket twice. */
Test(integration_lab, two_separate_daemons_both_report_linux)
{
	char root[2][160] = {"", ""};

	lab_must_be_up();
	for (size_t i = 0; i < 2; i++) {
		struct lab_http r;
		char want[160];

		lab_get(&r, lab[i].sock, "/info");
		cr_assert_eq(r.status, 200);
		cr_assert_not_null(strstr(r.body.buf, "\"OSType\":\"linux\""),
				   "%s", r.body.buf);
		snprintf(want, sizeof(want),
			 "\"DockerRootDir\":\"/var/lib/mixlab/%s/root\"",
			 lab[i].name);
		cr_assert_not_null(strstr(r.body.buf, want), "%s: no %s",
				   lab[i].name, want);
		snprintf(root[i], sizeof(root[i]), "%s", want);
		lab_http_release(&r);
	}
	cr_assert_str_neq(root[0], root[1]);
}

Test(integration_lab, lab_images_on_both_daemons_with_one_content_hash)
{
	lab_must_be_up();
	for (size_t k = 0; k < 3; k++) {
		struct sbuf hash[2] = {SBUF_INIT, SBUF_INIT};

		for (size_t i = 0; i < 2; i++) {
			struct lab_http r;
			char path[128];

			snprintf(path, sizeof(path), "/images/%s/json",
				 lab_images[k]);
			lab_get(&r, lab[i].sock, path);
			cr_assert_eq(r.status, 200, "%s missing on %s",
				     lab_images[k], lab[i].name);
			lab_http_release(&r);
			cr_assert_eq(
				lab_docker(
					&hash[i], lab[i].sock,
					"image inspect --format "
					"'{{index .Config.Labels \"%s\"}}' %s",
					LAB_HASH_LABEL, lab_images[k]),
				0, "%s", hash[i].buf);
			cr_assert_eq(hash[i].len, 65, "label '%s' on %s: '%s'",
				     LAB_HASH_LABEL, lab_images[k],
				     hash[i].buf);
		}
		cr_assert_str_eq(hash[0].buf, hash[1].buf,
				 "%s differs between the daemons",
				 lab_images[k]);
		sbuf_release(&hash[0]);
		sbuf_release(&hash[1]);
	}
}

#ifdef LAB_SCRIPT
Test(integration_lab, daemon_map_names_both_sockets)
{
	struct sbuf out = SBUF_INIT, file = SBUF_INIT;

	lab_must_be_up();
	cr_assert_eq(lab_sh(&file, "cat %s", LAB_DAEMONS_ENV), 0, "%s",
		     file.buf);
	cr_assert_str_eq(file.buf,
			 "MIXCOMPOSE_DAEMON_LINUX=" LAB_LINUX_URL ",os=linux\n"
			 "MIXCOMPOSE_DAEMON_WINDOWS=" LAB_WINDOWS_URL
			 ",os=windows,lab=true\n");
	cr_assert_eq(lab_sh(&out, "%s env", LAB_SCRIPT), 0, "%s", out.buf);
	cr_assert_not_null(
		strstr(out.buf,
		       "export MIXCOMPOSE_DAEMON_WINDOWS='" LAB_WINDOWS_URL
		       ",os=windows,lab=true'\n"),
		"%s", out.buf);
	sbuf_reset(&out);
	/* What `eval "$(lab/mixlab env)"` gives a shell. */
	cr_assert_eq(lab_sh(&out,
			    "eval \"$(%s env)\" && "
			    "printf '%%s' \"$MIXCOMPOSE_DAEMON_LINUX\"",
			    LAB_SCRIPT),
		     0, "%s", out.buf);
	cr_assert_str_eq(out.buf, LAB_LINUX_URL ",os=linux");
	sbuf_release(&out);
	sbuf_release(&file);
}

Test(integration_lab, status_shows_both_daemons_and_the_rule)
{
	struct sbuf out = SBUF_INIT;
	const char *p;
	int pings = 0;

	lab_must_be_up();
	cr_assert_eq(lab_sh(&out, "%s status", LAB_SCRIPT), 0, "%s", out.buf);
	for (p = out.buf; (p = strstr(p, "ping ok")); p++)
		pings++;
	cr_assert_geq(pings, 2, "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, RULE ": present"), "%s", out.buf);
	sbuf_release(&out);
}
#endif

/* The daemons' pids and the lab images' ids, as one string. */
static void lab_fingerprint(struct sbuf *out)
{
	for (size_t i = 0; i < 2; i++) {
		struct sbuf pid = SBUF_INIT;

		cr_assert_eq(
			lab_sh(&pid, "cat %s/%s.pid", LAB_RUN_DIR, lab[i].name),
			0, "%s", pid.buf);
		sbuf_addf(out, "%s pid %s\n", lab[i].name, pid.buf);
		sbuf_release(&pid);
		for (size_t k = 0; k < 3; k++) {
			struct lab_http r;
			char path[128];
			const char *id;

			snprintf(path, sizeof(path), "/images/%s/json",
				 lab_images[k]);
			lab_get(&r, lab[i].sock, path);
			id = strstr(r.body.buf, "\"Id\":\"sha256:");
			cr_assert_not_null(id, "%s: %s", path, r.body.buf);
			sbuf_add(out, id, 6 + 7 + 64);
			sbuf_addch(out, '\n');
			lab_http_release(&r);
		}
	}
}

#ifdef LAB_SCRIPT
/* `up` twice is harmless: same daemons, same images, still one rule. */
Test(integration_lab, up_again_changes_nothing, .timeout = 120)
{
	struct sbuf before = SBUF_INIT, after = SBUF_INIT, out = SBUF_INIT;

	lab_must_be_up();
	lab_fingerprint(&before);
	cr_assert_eq(lab_sh(&out, "%s up", LAB_SCRIPT), 0, "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "daemon 'linux' already running"),
			   "%s", out.buf);
	cr_assert_null(strstr(out.buf, "imported"), "%s", out.buf);
	lab_fingerprint(&after);
	cr_assert_str_eq(after.buf, before.buf);
	sbuf_reset(&out);
	cr_assert_eq(
		lab_sh(&out, "iptables -S DOCKER-USER | grep -c -- '%s'", RULE),
		0, "%s", out.buf);
	cr_assert_str_eq(out.buf, "1\n");
	sbuf_release(&before);
	sbuf_release(&after);
	sbuf_release(&out);
}
#endif

Test(integration_lab, one_docker_user_rule_for_the_lab_range)
{
	struct sbuf out = SBUF_INIT;
	const char *p;
	int n = 0;

	lab_must_be_up();
	cr_assert_eq(lab_sh(&out, "iptables -S DOCKER-USER"), 0, "%s", out.buf);
	for (p = out.buf; (p = strstr(p, "-A DOCKER-USER " RULE "\n")); p++)
		n++;
	cr_assert_eq(n, 1, "%s", out.buf);
	sbuf_release(&out);
}

/* ------------------------------------------------- across the two daemons */

static void cross_teardown(void)
{
	for (size_t i = 0; i < 2; i++) {
		lab_docker(NULL, lab[i].sock,
			   "ps -aq --filter label=%s | xargs -r docker -H "
			   "unix://%s rm -f",
			   TEST_LABEL, lab[i].sock);
		lab_docker(NULL, lab[i].sock,
			   "network ls -q --filter label=%s | xargs -r "
			   "docker -H unix://%s network rm",
			   TEST_LABEL, lab[i].sock);
	}
}

static void docker_ok(const char *sock, const char *what, const char *args)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_docker(&out, sock, "%s", args), 0, "%s: %s", what,
		     out.buf);
	sbuf_release(&out);
}

/*
 * A network on each daemon with its own subnet inside the lab range; a
 * busybox client on linux and the web app on the windows stand-in, each
 * with a static address and a host entry for the other.
 */
static void cross_setup(void)
{
	lab_must_be_up();
	cross_teardown();
	docker_ok(LAB_LINUX_SOCK, "linux network",
		  "network create --label " TEST_LABEL
		  " --subnet 172.30.252.0/24 " NET_LINUX);
	docker_ok(LAB_WINDOWS_SOCK, "windows network",
		  "network create --label " TEST_LABEL
		  " --subnet 172.30.253.0/24 " NET_WINDOWS);
	docker_ok(LAB_WINDOWS_SOCK, "web on windows",
		  "run -d --name mixlab-test-web --label " TEST_LABEL
		  " --network " NET_WINDOWS " --ip " IP_WEB
		  " --add-host client:" IP_CLIENT " -e SERVICE_NAME=web -e "
		  "PLATFORM=windows/amd64 " LAB_IMAGE_WEBAPP);
	docker_ok(LAB_LINUX_SOCK, "client on linux",
		  "run -d --name mixlab-test-client --label " TEST_LABEL
		  " --network " NET_LINUX " --ip " IP_CLIENT
		  " --add-host web:" IP_WEB " " LAB_IMAGE_BUSYBOX " sleep 600");
}

TestSuite(integration_lab_cross,
	  .init = cross_setup,
	  .fini = cross_teardown,
	  .timeout = 120);

Test(integration_lab_cross, ping_by_ip_both_ways)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(
		lab_docker(&out, LAB_LINUX_SOCK,
			   "exec mixlab-test-client ping -c 1 -W 5 " IP_WEB),
		0, "linux -> windows: %s", out.buf);
	sbuf_reset(&out);
	cr_assert_eq(
		lab_docker(&out, LAB_WINDOWS_SOCK,
			   "exec mixlab-test-web ping -c 1 -W 5 " IP_CLIENT),
		0, "windows -> linux: %s", out.buf);
	sbuf_release(&out);
}

/* The seed's LAB3: a name works where a host entry exists. */
Test(integration_lab_cross, extra_hosts_name_reaches_web_on_other_daemon)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"exec mixlab-test-client sh -c "
				"'for i in 1 2 3 4 5 6 7 8 9 10; do "
				"printf \"GET / HTTP/1.0\\r\\n\\r\\n\" | "
				"nc -w 5 web 8080 && exit 0; sleep 0.5; done; "
				"exit 1'"),
		     0, "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, " 200 OK\r\n"), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "service: web\n"), "%s", out.buf);
	cr_assert_not_null(strstr(out.buf, "platform: windows/amd64\n"), "%s",
			   out.buf);
	cr_assert_not_null(strstr(out.buf, "addresses: " IP_WEB "\n"), "%s",
			   out.buf);
	sbuf_release(&out);
}

/* Without a host entry there is no name: no DNS spans two daemons. */
Test(integration_lab_cross, container_name_of_other_daemon_is_unknown)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"exec mixlab-test-client grep -c "
				"mixlab-test-web /etc/hosts"),
		     1, "%s", out.buf);
	sbuf_reset(&out);
	cr_assert_eq(
		lab_docker(&out, LAB_LINUX_SOCK,
			   "exec mixlab-test-client grep -c web /etc/hosts"),
		0, "%s", out.buf);
	sbuf_release(&out);
}

#ifdef SOURCE_DIR
/*
 * The lab sample's topology by hand: real nginx on linux with the sample's
 * nginx.conf, published on loopback, proxying by name to the web app on the
 * windows stand-in.
 */
Test(integration_lab_cross, sample_nginx_proxies_to_web_on_other_daemon)
{
	struct lab_http r;
	char args[512];

	snprintf(args, sizeof(args),
		 "run -d --name mixlab-test-nginx --label " TEST_LABEL
		 " --network " NET_LINUX " --ip " IP_NGINX
		 " --add-host web:" IP_WEB " -p 127.0.0.1:%d:80"
		 " -v "
		 "%s/samples/lab/nginx.conf:/etc/nginx/"
		 "nginx.conf:ro " LAB_IMAGE_NGINX,
		 NGINX_PORT, SOURCE_DIR);
	docker_ok(LAB_LINUX_SOCK, "nginx on linux", args);
	cr_assert_eq(lab_http_tcp_wait(&r, "127.0.0.1", NGINX_PORT, "/", 20000),
		     0, "status %d: %s", r.status, r.body.buf);
	cr_assert_not_null(strstr(r.body.buf, "service: web\n"), "%s",
			   r.body.buf);
	cr_assert_not_null(strstr(r.body.buf, "platform: windows/amd64\n"),
			   "%s", r.body.buf);
	{
		char *server = lab_http_header(&r, "Server");

		cr_assert_not_null(server);
		cr_assert(strncmp(server, "nginx/", 6) == 0, "%s", server);
		free(server);
	}
	lab_http_release(&r);
}
#endif
