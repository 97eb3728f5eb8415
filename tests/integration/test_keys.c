/*
 * The keys of compose_keys[] on real daemons: each setting is seen where
 * it takes effect (the memory limit in the container's cgroup, the open
 * files limit of its process, a sysctl under /proc/sys, a tmpfs mount,
 * /dev/shm's size, the log driver's option in inspect), `down` leaves
 * nothing, and a Windows
 * daemon is refused a Linux-only key before anything exists.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_util.h"
#include "util/sbuf.h"

static struct lab_project P;

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
}

static void fini(void)
{
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
}

TestSuite(integration_keys, .init = setup, .fini = fini, .timeout = 180);

static void write_compose(const char *text)
{
	cr_assert_eq(lab_project_write(&P, text), 0, "%s", P.dir);
}

/* `docker exec NAME sh -c SCRIPT` on the linux daemon, trimmed. */
static char *in_container(const char *name, const char *script)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK, "exec %s sh -c '%s'",
				name, script),
		     0, "%s: %s", script, out.buf);
	while (out.len && (out.buf[out.len - 1] == '\n'))
		sbuf_setlen(&out, out.len - 1);
	return sbuf_detach(&out, NULL);
}

static void
expect_inside(const char *name, const char *script, const char *want)
{
	char *v = in_container(name, script);

	cr_expect_str_eq(v, want, "%s", script);
	free(v);
}

static void expect_inspect(const char *name, const char *tmpl, const char *want)
{
	char *v = lab_inspect(LAB_LINUX_SOCK, name, tmpl);

	cr_assert_not_null(v, "inspect %s", tmpl);
	cr_expect_str_eq(v, want, "%s", tmpl);
	free(v);
}

Test(integration_keys, resources_limits_logging_and_kernel_settings_take_effect)
{
	struct sbuf out = SBUF_INIT;
	char name[128];

	cr_assert_eq(lab_project_init(&P, "parity", "keys"), 0);
	write_compose("services:\n"
		      "  k:\n"
		      "    image: " LAB_IMAGE_BUSYBOX "\n"
		      "    command: [sleep, '300']\n"
		      "    mem_limit: 64m\n"
		      "    shm_size: 32m\n"
		      "    pids_limit: 77\n"
		      "    ulimits:\n"
		      "      nofile: {soft: 1024, hard: 2048}\n"
		      "    sysctls:\n"
		      "      net.core.somaxconn: 511\n"
		      "    tmpfs: ['/scratch:size=1m']\n"
		      "    security_opt: [no-new-privileges]\n"
		      "    devices: ['/dev/null:/dev/mixnull:rw']\n"
		      "    logging:\n"
		      "      driver: json-file\n"
		      "      options: {max-size: 1m}\n"
		      "    deploy:\n"
		      "      resources:\n"
		      "        limits: {memory: 64m, cpus: '0.5', pids: 77}\n"
		      "      restart_policy: {condition: on-failure, "
		      "max_attempts: 4}\n");
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	cr_assert_null(strstr(out.buf, "ignored"), "%s", out.buf);
	snprintf(name, sizeof(name), "%s-k-1", P.name);
	/*
	 * mem_limit and deploy.resources.limits.memory say one thing (compose
	 * v2 refuses two different values).
	 */
	expect_inside(name,
		      "cat /sys/fs/cgroup/memory.max 2>/dev/null || "
		      "cat /sys/fs/cgroup/memory/memory.limit_in_bytes",
		      "67108864");
	/* The container's own process (an exec'd one gets the daemon's). */
	expect_inside(name,
		      "grep \"open files\" /proc/1/limits | "
		      "awk \"{print \\$4, \\$5}\"",
		      "1024 2048");
	expect_inside(name, "cat /proc/sys/net/core/somaxconn", "511");
	expect_inside(name, "grep -c \" /scratch tmpfs \" /proc/mounts", "1");
	expect_inside(name, "df -k /dev/shm | tail -1 | awk \"{print \\$2}\"",
		      "32768");
	expect_inside(name, "grep NoNewPrivs /proc/self/status | cut -f2", "1");
	expect_inspect(name, "{{.HostConfig.LogConfig.Type}}", "json-file");
	expect_inspect(name,
		       "{{index .HostConfig.LogConfig.Config \"max-size\"}}",
		       "1m");
	expect_inspect(name, "{{.HostConfig.NanoCpus}}", "500000000");
	expect_inspect(name, "{{.HostConfig.PidsLimit}}", "77");
	/* devices: the host's device under its new name, a char device. */
	expect_inside(name, "test -c /dev/mixnull && echo char", "char");
	expect_inspect(name,
		       "{{(index .HostConfig.Devices 0).CgroupPermissions}}",
		       "rw");
	/* deploy.restart_policy: the container's restart policy, as in v2. */
	expect_inspect(name, "{{.HostConfig.RestartPolicy.Name}}",
		       "on-failure");
	expect_inspect(name, "{{.HostConfig.RestartPolicy.MaximumRetryCount}}",
		       "4");
	/* A second up changes nothing: the keys are in the hash, stably. */
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress plain"), 0, "%s",
		     out.buf);
	cr_assert_null(strstr(out.buf, "Recreate"), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_keys, windows_daemon_refuses_a_linux_only_key_before_creating)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_project_init(&P, "parity", "winkey"), 0);
	write_compose("services:\n"
		      "  a:\n"
		      "    image: " LAB_IMAGE_BUSYBOX "\n"
		      "    command: [sleep, '300']\n"
		      "  w:\n"
		      "    image: " LAB_IMAGE_BUSYBOX "\n"
		      "    platform: windows/amd64\n"
		      "    command: [sleep, '300']\n"
		      "    sysctls: {net.core.somaxconn: 511}\n");
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 1, "%s",
		     out.buf);
	cr_assert(strstr(out.buf, "compose.yaml:9:14: services.w.sysctls: "
				  "daemon 'windows' runs Windows"),
		  "%s", out.buf);
	cr_assert_eq(lab_leftovers(P.name, "container"), 0);
	cr_assert_eq(lab_leftovers(P.name, "network"), 0);
	sbuf_release(&out);
}

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", P.dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

Test(integration_keys, file_secrets_and_configs_are_readable_at_their_targets)
{
	struct sbuf out = SBUF_INIT;
	char name[128];

	cr_assert_eq(lab_project_init(&P, "parity", "secrets"), 0);
	write_file("db_password.txt", "s3cret\n");
	write_file("app.conf", "conf=1\n");
	write_compose("services:\n"
		      "  db:\n"
		      "    image: " LAB_IMAGE_BUSYBOX "\n"
		      "    command: [sleep, '300']\n"
		      "    secrets:\n"
		      "      - db_password\n"
		      "      - {source: db_password, target: pw2}\n"
		      "    configs:\n"
		      "      - {source: app, target: /etc/app.conf}\n"
		      "secrets:\n"
		      "  db_password:\n"
		      "    file: ./db_password.txt\n"
		      "configs:\n"
		      "  app:\n"
		      "    file: app.conf\n");
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	cr_assert_null(strstr(out.buf, "ignored"), "%s", out.buf);
	snprintf(name, sizeof(name), "%s-db-1", P.name);
	expect_inside(name, "cat /run/secrets/db_password", "s3cret");
	expect_inside(name, "cat /run/secrets/pw2", "s3cret");
	expect_inside(name, "cat /etc/app.conf", "conf=1");
	/* Read-only, as compose v2's bind mounts are. */
	expect_inside(name,
		      "(echo x > /run/secrets/db_password) 2>/dev/null || "
		      "echo refused",
		      "refused");
	sbuf_release(&out);
}

/*
 * gpus: a device request for every GPU.  The lab's daemon has no GPU
 * runtime, so it refuses the start as it refuses compose v2's request:
 * up fails naming the container, the daemon and Docker's message, and
 * takes back what it made.
 */
Test(integration_keys, gpus_refused_by_a_daemon_without_a_gpu_runtime)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_project_init(&P, "parity", "gpus"), 0);
	write_compose("services:\n"
		      "  g:\n"
		      "    image: " LAB_IMAGE_BUSYBOX "\n"
		      "    command: [sleep, '300']\n"
		      "    gpus: all\n");
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress plain"), 1, "%s",
		     out.buf);
	cr_assert(strstr(out.buf, "daemon 'linux'"), "%s", out.buf);
	cr_assert(strstr(out.buf, "could not select device driver \"\" with "
				  "capabilities: [[gpu]]"),
		  "%s", out.buf);
	cr_assert_eq(lab_mc(&P, &out, "down --progress quiet"), 0, "%s",
		     out.buf);
	cr_assert_eq(lab_leftovers(P.name, "container"), 0);
	cr_assert_eq(lab_leftovers(P.name, "network"), 0);
	sbuf_release(&out);
}

/* ---- annotations, blkio_config, external_links, mac_address ------------ */

static char ext_net[128];

/* The network and container that a test made beside its project. */
static void ext_fini(void)
{
	fini();
	if (!*ext_net)
		return;
	lab_docker(NULL, LAB_LINUX_SOCK, "rm -f %s-c", ext_net);
	cr_expect_eq(lab_docker(NULL, LAB_LINUX_SOCK, "network rm %s", ext_net),
		     0, "network %s is left", ext_net);
	*ext_net = '\0';
}

Test(integration_keys,
     blkio_links_and_mac_address_are_seen_on_the_container,
     .fini = ext_fini)
{
	struct sbuf out = SBUF_INIT;
	char name[128], compose[2048];
	char *v;

	cr_assert_eq(lab_project_init(&P, "keys", "blkio"), 0);
	/* A container outside the project, on a network the project joins. */
	snprintf(ext_net, sizeof(ext_net), "%s-ext", P.name);
	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"network create --subnet 172.31.251.0/24 %s",
				ext_net),
		     0, "%s", out.buf);
	cr_assert_eq(
		lab_docker(&out, LAB_LINUX_SOCK,
			   "run -d --name %s-c --network %s " LAB_IMAGE_BUSYBOX
			   " sleep 300",
			   ext_net, ext_net),
		0, "%s", out.buf);
	snprintf(compose, sizeof(compose),
		 "services:\n"
		 "  k:\n"
		 "    image: " LAB_IMAGE_BUSYBOX "\n"
		 "    command: [sleep, '300']\n"
		 "    networks: [ext]\n"
		 "    external_links: ['%s-c:extalias']\n"
		 "    mac_address: '02:42:ac:1d:fb:99'\n"
		 "    blkio_config:\n"
		 "      weight: 300\n"
		 "      device_read_bps: [{path: /dev/vda, rate: 1mb}]\n"
		 "      device_write_iops: [{path: /dev/vda, rate: 120}]\n"
		 "networks:\n"
		 "  ext: {external: true, name: %s}\n",
		 ext_net, ext_net);
	write_compose(compose);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	cr_assert_null(strstr(out.buf, "ignored"), "%s", out.buf);
	snprintf(name, sizeof(name), "%s-k-1", P.name);
	/* On a user-defined network the daemon keeps links per endpoint. */
	v = lab_inspect(LAB_LINUX_SOCK, name,
			"{{json .NetworkSettings.Networks}}");
	cr_assert_not_null(v);
	cr_expect(strstr(v, "-ext-c:extalias\""), "%s", v);
	free(v);
	/* The alias resolves to the linked container from inside. */
	snprintf(compose, sizeof(compose), "%s-c", ext_net);
	v = lab_inspect(LAB_LINUX_SOCK, compose,
			"{{range .NetworkSettings.Networks}}{{.IPAddress}}"
			"{{end}}");
	cr_assert_not_null(v);
	{
		char want[128];

		snprintf(want, sizeof(want), "(%s):", v);
		expect_inside(name,
			      "ping -c1 -W1 extalias | head -1 | "
			      "cut -d\" \" -f3",
			      want);
	}
	free(v);
	expect_inspect(name, "{{.Config.MacAddress}}", "02:42:ac:1d:fb:99");
	expect_inside(name, "cat /sys/class/net/eth0/address",
		      "02:42:ac:1d:fb:99");
	expect_inspect(name,
		       "{{(index .HostConfig.BlkioDeviceReadBps 0).Rate}}",
		       "1048576");
	expect_inspect(name,
		       "{{(index .HostConfig.BlkioDeviceWriteIOps 0).Path}} "
		       "{{(index .HostConfig.BlkioDeviceWriteIOps 0).Rate}}",
		       "/dev/vda 120");
	/* A second up changes nothing: the keys are in the hash, stably. */
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress plain"), 0, "%s",
		     out.buf);
	cr_assert_null(strstr(out.buf, "Recreate"), "%s", out.buf);
	cr_assert_eq(lab_mc(&P, &out, "down"), 0, "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_keys, annotations_need_api_1_43_refused_before_creating)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_project_init(&P, "keys", "annot"), 0);
	write_compose("services:\n"
		      "  a:\n"
		      "    image: " LAB_IMAGE_BUSYBOX "\n"
		      "    command: [sleep, '300']\n"
		      "    annotations: {com.example.x: '1'}\n");
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 1, "%s",
		     out.buf);
	cr_assert(strstr(out.buf, "compose.yaml:5:18: services.a.annotations: "
				  "daemon 'linux' speaks Engine API 1.41; "
				  "HostConfig.Annotations needs API 1.43"),
		  "%s", out.buf);
	cr_assert_eq(lab_leftovers(P.name, "container"), 0);
	cr_assert_eq(lab_leftovers(P.name, "network"), 0);
	sbuf_release(&out);
}
