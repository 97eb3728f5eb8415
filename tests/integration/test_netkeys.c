/*
 * The keys of compose_nested_keys[] on real daemons: a service network
 * entry's link_local_ips on the container's interface and its driver_opts
 * on the endpoint, a network's aux_addresses and IPAM options in its
 * inspect, bind.recursive on the mount (API 1.41 and 1.45), a mount's
 * volume.labels on the anonymous volume it creates; `down` leaves
 * nothing.  And the daemons too old for a key (gw_priority,
 * interface_name, enable_ipv4: false, image mounts, a read-only recursive
 * option) refuse it before anything is created.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lab_util.h"
#include "util/sbuf.h"

static struct lab_project P;
static char anon[128]; /* an anonymous volume a test made, or "" */

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
	*anon = '\0';
}

static void fini(void)
{
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
	if (*anon)
		cr_expect_neq(lab_docker(NULL, LAB_LINUX_SOCK,
					 "volume inspect %s", anon),
			      0, "down -v left the anonymous volume %s", anon);
	if (*anon)
		lab_docker(NULL, LAB_LINUX_SOCK, "volume rm -f %s", anon);
}

TestSuite(integration_netkeys, .init = setup, .fini = fini, .timeout = 180);

static void write_compose(const char *text)
{
	cr_assert_eq(lab_project_write(&P, text), 0, "%s", P.dir);
}

static void expect_has(const char *sock,
		       const char *name,
		       const char *tmpl,
		       const char *part)
{
	char *v = lab_inspect(sock, name, tmpl);

	cr_assert_not_null(v, "inspect %s %s", name, tmpl);
	cr_expect(strstr(v, part), "%s: no '%s' in %s", tmpl, part, v);
	free(v);
}

Test(integration_netkeys, endpoint_network_and_mount_keys_take_effect)
{
	struct sbuf out = SBUF_INIT;
	char name[128], net[128], compose[2048];
	char *v;

	cr_assert_eq(lab_project_init(&P, "netkeys", "linux"), 0);
	snprintf(compose, sizeof(compose),
		 "services:\n"
		 "  k:\n"
		 "    image: " LAB_IMAGE_BUSYBOX "\n"
		 "    command: [sleep, '300']\n"
		 "    networks:\n"
		 "      front:\n"
		 "        link_local_ips: [169.254.77.7]\n"
		 "        driver_opts: {com.example.opt: 'x1'}\n"
		 "    volumes:\n"
		 "      - type: bind\n"
		 "        source: %s\n"
		 "        target: /src\n"
		 "        bind: {recursive: disabled}\n"
		 "      - type: volume\n"
		 "        target: /anon\n"
		 "        volume: {labels: {com.example.netkeys: 'v1'}}\n"
		 "networks:\n"
		 "  front:\n"
		 "    enable_ipv4: true\n"
		 "    ipam:\n"
		 "      options: {com.example.ipam: 'o1'}\n"
		 "      config:\n"
		 "        - subnet: 172.31.246.0/24\n"
		 "          aux_addresses: {reserved: 172.31.246.2}\n",
		 P.dir);
	write_compose(compose);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	cr_assert_null(strstr(out.buf, "ignored"), "%s", out.buf);
	snprintf(name, sizeof(name), "%s-k-1", P.name);
	snprintf(net, sizeof(net), "%s_front", P.name);
	/* link_local_ips: an address of the container's interface. */
	cr_assert_eq(
		lab_docker(&out, LAB_LINUX_SOCK, "exec %s ip -4 addr", name), 0,
		"%s", out.buf);
	cr_expect(strstr(out.buf, "inet 169.254.77.7/"), "%s", out.buf);
	/* driver_opts: on the endpoint. */
	expect_has(LAB_LINUX_SOCK, name, "{{json .NetworkSettings.Networks}}",
		   "\"DriverOpts\":{\"com.example.opt\":\"x1\"}");
	/* aux_addresses and ipam.options: on the network. */
	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"network inspect -f '{{json .IPAM}}' %s", net),
		     0, "%s", out.buf);
	cr_expect(strstr(out.buf, "\"AuxiliaryAddresses\":{\"reserved\":\"172."
				  "31.246.2\"}"),
		  "%s", out.buf);
	cr_expect(strstr(out.buf, "\"com.example.ipam\":\"o1\""), "%s",
		  out.buf);
	/* The reserved address is not handed out: asking for it fails. */
	cr_expect_neq(lab_docker(&out, LAB_LINUX_SOCK,
				 "run --rm --network %s --ip "
				 "172.31.246.2 " LAB_IMAGE_BUSYBOX " true",
				 net),
		      0, "%s", out.buf);
	/* bind.recursive: disabled is the mount's NonRecursive. */
	expect_has(LAB_LINUX_SOCK, name, "{{json .HostConfig.Mounts}}",
		   "\"NonRecursive\":true");
	/* volume.labels: on the anonymous volume the mount created. */
	v = lab_inspect(LAB_LINUX_SOCK, name,
			"{{range .Mounts}}{{if eq .Destination \"/anon\"}}"
			"{{.Name}}{{end}}{{end}}");
	cr_assert(v && *v, "no volume at /anon");
	snprintf(anon, sizeof(anon), "%s", v);
	free(v);
	sbuf_reset(&out); /* lab_docker appends */
	cr_assert_eq(
		lab_docker(&out, LAB_LINUX_SOCK,
			   "volume inspect -f "
			   "'{{index .Labels \"com.example.netkeys\"}}' %s",
			   anon),
		0, "%s", out.buf);
	cr_expect(!strncmp(out.buf, "v1\n", 3), "%s", out.buf);
	/* A second up changes nothing: the keys are in the hash, stably. */
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress plain"), 0, "%s",
		     out.buf);
	cr_assert_null(strstr(out.buf, "Recreate"), "%s", out.buf);
	/* down -v removes it all, the anonymous volume too (see fini). */
	cr_assert_eq(lab_mc(&P, &out, "down -v --progress quiet"), 0, "%s",
		     out.buf);
	cr_expect_eq(lab_leftovers(P.name, "container"), 0);
	cr_expect_eq(lab_leftovers(P.name, "network"), 0);
	sbuf_release(&out);
}

/* On the 26.1 daemon (API 1.45): writable is ReadOnlyNonRecursive. */
Test(integration_netkeys, a_read_only_non_recursive_bind_on_api_1_45)
{
	struct sbuf out = SBUF_INIT;
	char name[128], compose[1024];

	cr_assert_eq(lab_project_init(&P, "netkeys", "rro"), 0);
	snprintf(compose, sizeof(compose),
		 "services:\n"
		 "  w:\n"
		 "    image: " LAB_IMAGE_BUSYBOX "\n"
		 "    platform: windows/amd64\n"
		 "    command: [sleep, '300']\n"
		 "    volumes:\n"
		 "      - type: bind\n"
		 "        source: %s\n"
		 "        target: /src\n"
		 "        read_only: true\n"
		 "        bind: {recursive: writable}\n",
		 P.dir);
	write_compose(compose);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	snprintf(name, sizeof(name), "%s-w-1", P.name);
	expect_has(LAB_WINDOWS_SOCK, name, "{{json .HostConfig.Mounts}}",
		   "\"ReadOnlyNonRecursive\":true");
	/* Read-only inside, as asked. */
	sbuf_reset(&out);
	cr_assert_eq(lab_docker(&out, LAB_WINDOWS_SOCK,
				"exec %s sh -c '(touch /src/x) 2>/dev/null "
				"|| echo refused'",
				name),
		     0, "%s", out.buf);
	cr_expect(!strncmp(out.buf, "refused\n", 8), "%s", out.buf);
	cr_assert_eq(lab_mc(&P, &out, "down --progress quiet"), 0, "%s",
		     out.buf);
	sbuf_release(&out);
}

/* `up` with 'body' under services.a: refused, naming 'want', nothing made. */
static void refused(const char *tag, const char *body, const char *want)
{
	struct sbuf out = SBUF_INIT;
	char compose[1024];

	cr_assert_eq(lab_project_init(&P, "netkeys", tag), 0);
	snprintf(compose, sizeof(compose),
		 "services:\n"
		 "  a:\n"
		 "    image: " LAB_IMAGE_BUSYBOX "\n"
		 "    command: [sleep, '300']\n"
		 "%s",
		 body);
	write_compose(compose);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 1, "%s",
		     out.buf);
	cr_assert(strstr(out.buf, want), "%s", out.buf);
	cr_assert_eq(lab_leftovers(P.name, "container"), 0);
	cr_assert_eq(lab_leftovers(P.name, "network"), 0);
	cr_assert_eq(lab_leftovers(P.name, "volume"), 0);
	sbuf_release(&out);
}

Test(integration_netkeys, gw_priority_needs_api_1_48_refused_on_1_45)
{
	refused("gw",
		"    platform: windows/amd64\n"
		"    networks:\n"
		"      n: {gw_priority: 5}\n"
		"networks:\n"
		"  n: {}\n",
		"compose.yaml:7:7: services.a.networks.n.gw_priority: daemon "
		"'windows' speaks Engine API 1.45; EndpointSettings.GwPriority "
		"needs API 1.48 or later");
}

Test(integration_netkeys, interface_name_needs_api_1_49_refused_on_1_41)
{
	refused("ifname",
		"    networks:\n"
		"      n: {interface_name: eth7}\n"
		"networks:\n"
		"  n: {}\n",
		"compose.yaml:6:7: services.a.networks.n.interface_name: "
		"daemon "
		"'linux' speaks Engine API 1.41");
}

Test(integration_netkeys, enable_ipv4_false_needs_api_1_47_refused_on_1_41)
{
	refused("noipv4",
		"    networks: [n]\n"
		"networks:\n"
		"  n: {enable_ipv4: false}\n",
		"compose.yaml:7:3: networks.n.enable_ipv4: daemon 'linux' "
		"speaks Engine API 1.41; EnableIPv4 needs API 1.47 or later");
}

Test(integration_netkeys, image_mounts_need_api_1_48_refused_on_1_45)
{
	refused("image",
		"    platform: windows/amd64\n"
		"    volumes:\n"
		"      - {type: image, source: " LAB_IMAGE_BUSYBOX
		", target: /img}\n",
		"compose.yaml:7:9: services.a.volumes[0].image: daemon "
		"'windows' speaks Engine API 1.45; Mount.ImageOptions needs "
		"API 1.48 or later");
}

Test(integration_netkeys, read_only_recursive_options_need_api_1_44_on_1_41)
{
	refused("rrofs",
		"    volumes:\n"
		"      - {type: bind, source: /tmp, target: /t, read_only: "
		"true, "
		"bind: {recursive: readonly}}\n",
		"compose.yaml:6:9: services.a.volumes[0].bind.recursive: "
		"daemon "
		"'linux' speaks Engine API 1.41; Mount.BindOptions."
		"ReadOnlyNonRecursive needs API 1.44 or later");
}

/*
 * use_api_socket: the daemon's own socket inside (the lab's daemons listen
 * on sockets under /run/mixlab), DOCKER_CONFIG, and the client's credentials.
 */
Test(integration_netkeys, use_api_socket_gives_the_container_the_daemon)
{
	struct sbuf out = SBUF_INIT;
	char name[128], cfg[300], path[340];
	FILE *f;

	cr_assert_eq(lab_project_init(&P, "netkeys", "sock"), 0);
	snprintf(cfg, sizeof(cfg), "%s/dockercfg", P.dir);
	cr_assert_eq(mkdir(cfg, 0700), 0);
	snprintf(path, sizeof(path), "%s/config.json", cfg);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("{\"auths\": {\"registry.example:5000\": {\"auth\": \"dTpw\"}}}",
	      f);
	fclose(f);
	write_compose("services:\n"
		      "  s:\n"
		      "    image: " LAB_IMAGE_BUSYBOX "\n"
		      "    command: [sleep, '300']\n"
		      "    use_api_socket: true\n");
	setenv("DOCKER_CONFIG", cfg, 1);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	unsetenv("DOCKER_CONFIG");
	cr_assert_null(strstr(out.buf, "ignored"), "%s", out.buf);
	snprintf(name, sizeof(name), "%s-s-1", P.name);
	sbuf_reset(&out);
	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"exec %s sh -c 'test -S /var/run/docker.sock "
				"&& echo $DOCKER_CONFIG && "
				"cat /run/secrets/docker/config.json'",
				name),
		     0, "%s", out.buf);
	cr_expect(!strncmp(out.buf, "/run/secrets/docker\n", 20), "%s",
		  out.buf);
	cr_expect(strstr(out.buf, "\"registry.example:5000\""), "%s", out.buf);
	/* The socket bound is the one mixcompose reaches the daemon by. */
	expect_has(LAB_LINUX_SOCK, name, "{{json .HostConfig.Binds}}",
		   "\"" LAB_LINUX_SOCK ":/var/run/docker.sock\"");
	cr_assert_eq(lab_mc(&P, &out, "down --progress quiet"), 0, "%s",
		     out.buf);
	sbuf_release(&out);
}

/*
 * A network entry's mac_address on the container's interface: on API 1.41
 * as the container's MacAddress (one per container before 1.44), on 1.45
 * as the endpoint's (compose v2's prepareContainerMACAddress).
 */
static void mac_on(const char *tag, const char *platform, const char *sock)
{
	struct sbuf out = SBUF_INIT;
	char name[128], compose[1024];

	cr_assert_eq(lab_project_init(&P, "netkeys", tag), 0);
	snprintf(compose, sizeof(compose),
		 "services:\n"
		 "  a:\n"
		 "    image: " LAB_IMAGE_BUSYBOX "\n"
		 "    platform: %s\n"
		 "    command: [sleep, '300']\n"
		 "    networks:\n"
		 "      n: {mac_address: '02:42:ac:1e:99:07'}\n"
		 "networks:\n"
		 "  n: {}\n",
		 platform);
	write_compose(compose);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	snprintf(name, sizeof(name), "%s-a-1", P.name);
	sbuf_reset(&out);
	cr_assert_eq(lab_docker(&out, sock,
				"exec %s cat /sys/class/net/eth0/address",
				name),
		     0, "%s", out.buf);
	cr_expect(!strcmp(out.buf, "02:42:ac:1e:99:07\n"), "%s", out.buf);
	cr_assert_eq(lab_mc(&P, &out, "down --progress quiet"), 0, "%s",
		     out.buf);
	sbuf_release(&out);
}

Test(integration_netkeys, endpoint_mac_address_on_api_1_41)
{
	mac_on("mac41", "linux", LAB_LINUX_SOCK);
}

Test(integration_netkeys, endpoint_mac_address_on_api_1_45)
{
	mac_on("mac45", "windows/amd64", LAB_WINDOWS_SOCK);
}

Test(integration_netkeys, two_endpoint_macs_need_api_1_44_refused_on_1_41)
{
	refused("mac2",
		"    networks:\n"
		"      n: {mac_address: '02:42:ac:1e:99:08'}\n"
		"      m: {mac_address: '02:42:ac:1e:99:09'}\n"
		"networks:\n"
		"  n: {}\n"
		"  m: {}\n",
		"a MAC address is specified for multiple networks (");
}
