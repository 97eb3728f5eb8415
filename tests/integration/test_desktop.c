/*
 * Docker Desktop with zero configuration, on the lab: a test DOCKER_CONFIG
 * holds the contexts "desktop-linux" and "desktop-windows" (as Docker
 * Desktop writes them), pointing at the lab's two sockets; the windows one
 * carries the context metadata "io.mixcompose.lab": true, since the lab's
 * stand-in reports linux.  No daemon map at all: mixcompose finds both
 * engines, routes by platform, and names a stopped engine (a scratch
 * dockerd of the test's own, never the lab's).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab_util.h"
#include "util/sbuf.h"
#include "util/sha256.h"

static struct lab_project P;
static struct lab_scratch S;
static char cfg[64];

static void write_context(const char *name, const char *host, bool lab)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(hex, name, strlen(name));
	cr_assert_eq(lab_sh(NULL,
			    "mkdir -p %s/contexts/meta/%s && printf '%%s' "
			    "'{\"Name\":\"%s\",\"Metadata\":{\"Description\":"
			    "\"test\"%s},\"Endpoints\":{\"docker\":{\"Host\":"
			    "\"%s\",\"SkipTLSVerify\":false}}}' "
			    ">%s/contexts/meta/%s/meta.json",
			    cfg, hex, name,
			    lab ? ",\"io.mixcompose.lab\":true" : "", host, cfg,
			    hex),
		     0);
}

static void setup(void)
{
	char hosts[128];

	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
	memset(&S, 0, sizeof(S));
	snprintf(cfg, sizeof(cfg), "/tmp/mc-desktop-XXXXXX");
	cr_assert_not_null(mkdtemp(cfg));
	write_context("desktop-linux", LAB_LINUX_URL, false);
	write_context("desktop-windows", LAB_WINDOWS_URL, true);
	cr_assert_eq(lab_sh(NULL,
			    "printf '{\"currentContext\":\"desktop-linux\"}' "
			    ">%s/config.json && printf '127.0.0.1 localhost\\n"
			    "# Added by Docker Desktop\\n"
			    "192.0.2.44 host.docker.internal\\n' >%s/hosts",
			    cfg, cfg),
		     0);
	/* No daemon map: only the contexts. */
	unsetenv("MIXCOMPOSE_DAEMON_LINUX");
	unsetenv("MIXCOMPOSE_DAEMON_WINDOWS");
	unsetenv("DOCKER_CONTEXT");
	setenv("DOCKER_CONFIG", cfg, 1);
	snprintf(hosts, sizeof(hosts), "%s/hosts", cfg);
	setenv("MIXCOMPOSE_HOST_HOSTS_FILE", hosts, 1);
}

static void fini(void)
{
	if (S.name[0] && !lab_daemon_up(S.sock))
		lab_scratch_up(&S, S.name, NULL);
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
	lab_scratch_down(&S);
	if (cfg[0])
		lab_sh(NULL, "rm -rf '%s'", cfg);
}

TestSuite(integration_desktop, .init = setup, .fini = fini, .timeout = 180);

static const char compose[] =
	"x-mixcompose:\n"
	"  address_pool: 172.30.0.0/16\n"
	"%s"
	"services:\n"
	"  probe:\n"
	"    image: " LAB_IMAGE_BUSYBOX "\n"
	"    platform: linux\n"
	"    command: [\"sleep\", \"300\"]\n"
	"    init: true\n"
	"  peer:\n"
	"    image: " LAB_IMAGE_WEBAPP "\n"
	"    platform: windows\n"
	"    environment: {SERVICE_NAME: peer, PLATFORM: windows/amd64}\n";

static void write_project(const char *tag, const char *mode_lines)
{
	cr_assert_eq(lab_project_init(&P, "desktop", tag), 0);
	cr_assert_eq(lab_sh(NULL, "cat >'%s/compose.yaml' <<'EOF'\n%s\nEOF",
			    P.dir, mode_lines),
		     0);
}

Test(integration_desktop, both_engines_found_and_routed_by_platform)
{
	struct sbuf out = SBUF_INIT, text = SBUF_INIT;

	sbuf_addf(&text, compose, "  address_mode: container\n");
	write_project("route", text.buf);
	cr_assert_eq(lab_mc(&P, &out, "daemons"), 0, "%s", out.buf);
	cr_assert(strstr(out.buf, "desktop"), "%s", out.buf);
	cr_assert(strstr(out.buf, LAB_LINUX_URL), "%s", out.buf);
	cr_assert(strstr(out.buf, LAB_WINDOWS_URL), "%s", out.buf);
	cr_assert(strstr(out.buf, "windows/amd64*"), "%s", out.buf);
	cr_assert_eq(lab_mc(&P, &out, "up -d --wait --progress plain"), 0, "%s",
		     out.buf);
	cr_assert(strstr(out.buf, "probe-1 (linux)"), "%s", out.buf);
	cr_assert(strstr(out.buf, "peer-1 (windows)"), "%s", out.buf);
	/* Each container is on the engine its platform asks for. */
	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"ps -q --filter label=com.docker.compose."
				"project=%s --filter label=com.docker.compose."
				"service=probe",
				P.name),
		     0);
	cr_assert_gt(out.len, 0, "probe is not on the linux engine");
	cr_assert_eq(lab_docker(&out, LAB_WINDOWS_SOCK,
				"ps -q --filter label=com.docker.compose."
				"project=%s --filter label=com.docker.compose."
				"service=peer",
				P.name),
		     0);
	cr_assert_gt(out.len, 0, "peer is not on the windows engine");
	/* And the Linux one reaches the Windows one by its service name. */
	cr_assert_eq(lab_mc(&P, &out,
			    "exec -T probe sh -c \"printf 'GET / HTTP/1.0"
			    "\\r\\n\\r\\n' | nc -w 5 peer 8080\""),
		     0, "%s", out.buf);
	cr_assert(strstr(out.buf, "service: peer"), "%s", out.buf);
	cr_assert(strstr(out.buf, "platform: windows/amd64"), "%s", out.buf);
	sbuf_release(&out);
	sbuf_release(&text);
}

Test(integration_desktop, host_mode_is_the_default_there)
{
	struct sbuf out = SBUF_INIT, text = SBUF_INIT;

	sbuf_addf(&text, compose, "");
	write_project("mode", text.buf);
	cr_assert_eq(lab_mc_stdout(&P, &out, "plan --format json"), 0, "%s",
		     out.buf);
	cr_assert(strstr(out.buf, "\"address_mode\": \"host\""), "%s", out.buf);
	cr_assert(strstr(out.buf, "\"host_address\": \"192.0.2.44\""), "%s",
		  out.buf);
	sbuf_release(&out);
	sbuf_release(&text);
}

Test(integration_desktop, a_stopped_engine_is_named, .timeout = 240)
{
	struct sbuf out = SBUF_INIT, text = SBUF_INIT;

	struct sbuf up = SBUF_INIT;
	char name[24];

	snprintf(name, sizeof(name), "dsk%ld", (long)getpid() % 1000000);
	cr_assert_eq(lab_scratch_up(&S, name, &up), 0,
		     "lab/mixlab scratch-up %s:\n%s", name, up.buf);
	sbuf_release(&up);
	write_context("desktop-windows", S.url, true);
	sbuf_addf(&text, compose, "  address_mode: container\n");
	write_project("stop", text.buf);
	cr_assert_eq(lab_mc(&P, &out, "daemons"), 0, "%s", out.buf);
	cr_assert(strstr(out.buf, S.url), "%s", out.buf);
	cr_assert_eq(lab_scratch_stop(&S), 0);
	cr_assert_eq(lab_mc(&P, &out, "daemons"), 1, "%s", out.buf);
	cr_assert(strstr(out.buf, "windows: Docker Desktop's Windows engine "
				  "is not running"),
		  "%s", out.buf);
	cr_assert(strstr(out.buf, "Switch to Windows containers"), "%s",
		  out.buf);
	cr_assert_null(strstr(out.buf, "Linux engine is not running"), "%s",
		       out.buf);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress plain"), 1, "%s",
		     out.buf);
	cr_assert(strstr(out.buf, "Docker Desktop's Windows engine is not "
				  "running"),
		  "%s", out.buf);
	cr_assert(strstr(out.buf, "'peer'"), "%s", out.buf);
	cr_assert(strstr(out.buf, "nothing was started"), "%s", out.buf);
	sbuf_release(&out);
	sbuf_release(&text);
}
