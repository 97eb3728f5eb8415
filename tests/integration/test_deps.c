/*
 * depends_on required: false and pull policies, against the real lab.
 * Each test writes its compose file into a temporary directory and runs
 * the binary under a project name of its own.  The pull tests run a
 * private registry (Debian's docker-registry) on 127.0.0.1 from a
 * temporary directory, push lab images into it and let the daemons pull
 * them back.  The fini hook runs `down -v -t 0`, removes the images the
 * test pulled, stops the registry by its pid and removes its directory,
 * even when the test failed half-way.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lab_util.h"
#include "util/sbuf.h"

static const char *const socks[] = {LAB_LINUX_SOCK, LAB_WINDOWS_SOCK};

static struct lab_project P;

/* The test's own registry and the image it pushed there. */
static struct {
	struct lab_registry reg;
	char ref[256]; /* the image the test pushed, "" if none */
} R;

#define mc(out, ...) lab_mc(&P, out, __VA_ARGS__)

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	unsetenv("COMPOSE_PROFILES");
	memset(&P, 0, sizeof(P));
	memset(&R, 0, sizeof(R));
}

/* A new project directory with 'yaml' as its compose.yaml. */
static void project(const char *tag, const char *yaml)
{
	cr_assert_eq(lab_project_init(&P, "itest-deps", tag), 0);
	cr_assert_eq(lab_project_write(&P, yaml), 0, "%s", P.dir);
}

static void rewrite(const char *yaml)
{
	cr_assert_eq(lab_project_write(&P, yaml), 0, "%s", P.dir);
}

static void registry_stop(void)
{
	lab_registry_stop(&R.reg);
}

/*
 * Removes every reference of the test's repository (its tag, and the
 * digests that pulls of a moved tag left behind) by name, never by id:
 * the pulled content is often a lab image that must stay.
 */
static void remove_refs(const char *sock)
{
	char repo[256];
	char *colon;

	snprintf(repo, sizeof(repo), "%s", R.ref);
	colon = strrchr(repo, ':');
	if (colon)
		*colon = '\0';
	lab_docker(NULL, sock,
		   "images --digests --format '{{.Repository}}@{{.Digest}}' "
		   "%s | grep -v '@<none>' | xargs -r docker -H unix://%s rmi",
		   repo, sock);
	lab_docker(NULL, sock, "rmi %s", R.ref);
}

static void fini(void)
{
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
	for (size_t i = 0; R.ref[0] && i < 2; i++)
		remove_refs(socks[i]);
	registry_stop();
}

TestSuite(integration_deps, .init = setup, .fini = fini, .timeout = 180);

static int free_port(void)
{
	int port = lab_free_port();

	cr_assert_gt(port, 0);
	return port;
}

static char *docker_str(const char *sock, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* `docker -H SOCK ARGS` trimmed; NULL if it failed.  The caller frees. */
static char *docker_str(const char *sock, const char *fmt, ...)
{
	struct sbuf args = SBUF_INIT, out = SBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	sbuf_vaddf(&args, fmt, ap);
	va_end(ap);
	rc = lab_docker(&out, sock, "%s 2>/dev/null", args.buf);
	sbuf_release(&args);
	while (out.len &&
	       (out.buf[out.len - 1] == '\n' || out.buf[out.len - 1] == ' '))
		sbuf_setlen(&out, out.len - 1);
	if (rc) {
		sbuf_release(&out);
		return NULL;
	}
	return sbuf_detach(&out, NULL);
}

static char *image_id(const char *sock, const char *ref)
{
	return docker_str(sock, "image inspect -f '{{.Id}}' %s", ref);
}

static bool running(const char *service)
{
	char *s = docker_str(LAB_LINUX_SOCK,
			     "inspect -f '{{.State.Status}}' "
			     "%s-%s-1",
			     P.name, service);
	bool r = s && !strcmp(s, "running");

	free(s);
	return r;
}

/* ---- depends_on required: false --------------------------------------- */

#define WEB_NEEDS(cond, req)                                                   \
	"services:\n"                                                          \
	"  db:\n"                                                              \
	"    image: local/busybox:lab\n"                                       \
	"    platform: windows/amd64\n"                                        \
	"    command: [\"sh\", \"-c\", \"exit 3\"]\n"                          \
	"  web:\n"                                                             \
	"    image: local/busybox:lab\n"                                       \
	"    command: [\"sleep\", \"3600\"]\n"                                 \
	"    x-mixcompose: {daemon: linux}\n"                                  \
	"    depends_on:\n"                                                    \
	"      db: {condition: " cond ", required: " req "}\n"

Test(integration_deps, optional_dependency_that_fails_only_warns)
{
	struct sbuf out = SBUF_INIT;
	int rc;

	project("fail", WEB_NEEDS("service_completed_successfully", "false"));
	rc = mc(&out, "up -d --progress plain");
	cr_assert_eq(rc, 0, "%s", out.buf);
	cr_assert(strstr(out.buf, "warning: optional dependency \"db\" failed "
				  "to start"),
		  "%s", out.buf);
	cr_assert(strstr(out.buf, "exited with code 3"), "%s", out.buf);
	cr_assert(running("web"), "web started anyway: %s", out.buf);
	/* The same dependency, required: web is not started, up fails. */
	rewrite(WEB_NEEDS("service_completed_successfully", "true"));
	sbuf_reset(&out);
	rc = mc(&out, "up -d --force-recreate --progress plain");
	cr_assert_eq(rc, 1, "%s", out.buf);
	cr_assert_not(running("web"), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_deps, optional_unhealthy_dependency_only_warns)
{
	struct sbuf out = SBUF_INIT;
	int rc;

	project("sick", "services:\n"
			"  db:\n"
			"    image: local/busybox:lab\n"
			"    command: [\"sleep\", \"3600\"]\n"
			"    x-mixcompose: {daemon: linux}\n"
			"    healthcheck:\n"
			"      test: [\"CMD\", \"false\"]\n"
			"      interval: 1s\n"
			"      retries: 1\n"
			"  web:\n"
			"    image: local/busybox:lab\n"
			"    command: [\"sleep\", \"3600\"]\n"
			"    x-mixcompose: {daemon: linux}\n"
			"    depends_on:\n"
			"      db: {condition: service_healthy, required: "
			"false}\n");
	rc = mc(&out, "up -d --progress plain");
	cr_assert_eq(rc, 0, "%s", out.buf);
	cr_assert(strstr(out.buf, "optional dependency \"db\""), "%s", out.buf);
	cr_assert(strstr(out.buf, "unhealthy"), "%s", out.buf);
	cr_assert(running("web"), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_deps, optional_dependency_off_by_profile_is_ignored)
{
	struct sbuf out = SBUF_INIT;
	int rc;

	project("prof", "services:\n"
			"  cache:\n"
			"    image: local/busybox:lab\n"
			"    command: [\"sleep\", \"3600\"]\n"
			"    x-mixcompose: {daemon: linux}\n"
			"    profiles: [extra]\n"
			"  web:\n"
			"    image: local/busybox:lab\n"
			"    command: [\"sleep\", \"3600\"]\n"
			"    x-mixcompose: {daemon: linux}\n"
			"    depends_on:\n"
			"      cache: {condition: service_healthy, required: "
			"false}\n");
	rc = mc(&out, "up -d --progress plain");
	cr_assert_eq(rc, 0, "%s", out.buf);
	cr_assert(strstr(out.buf, "compose.yaml:12:7: warning: "
				  "services.web.depends_on: optional "
				  "dependency 'cache'"),
		  "%s", out.buf);
	cr_assert(running("web"), "%s", out.buf);
	cr_assert_not(running("cache"));
	sbuf_release(&out);
}

/* ---- pull_policy -------------------------------------------------------- */

Test(integration_deps, never_with_a_missing_image_creates_nothing)
{
	struct sbuf out = SBUF_INIT;
	char yaml[512];
	int rc;

	snprintf(yaml, sizeof(yaml),
		 "services:\n"
		 "  ok:\n"
		 "    image: local/busybox:lab\n"
		 "    command: [\"sleep\", \"3600\"]\n"
		 "    x-mixcompose: {daemon: linux}\n"
		 "  app:\n"
		 "    image: 127.0.0.1:%d/mixdeps/none:1\n"
		 "    pull_policy: never\n"
		 "    x-mixcompose: {daemon: linux}\n",
		 free_port());
	project("never", yaml);
	rc = mc(&out, "up -d --progress plain");
	cr_assert_eq(rc, 1, "%s", out.buf);
	cr_assert(strstr(out.buf, "compose.yaml:6:3: service 'app'"), "%s",
		  out.buf);
	cr_assert(strstr(out.buf, "not on daemon 'linux'"), "%s", out.buf);
	cr_assert(strstr(out.buf, "pull_policy: never"), "%s", out.buf);
	cr_assert_eq(lab_leftovers(P.name, "network"), 0, "nothing created: %s",
		     out.buf);
	cr_assert_eq(lab_leftovers(P.name, "container"), 0, "%s", out.buf);
	/* --pull never on a service whose image is there works. */
	sbuf_reset(&out);
	rc = mc(&out, "up -d --pull never --progress plain ok");
	cr_assert_eq(rc, 0, "%s", out.buf);
	sbuf_release(&out);
}

/* Starts docker-registry on a free loopback port, in its own directory. */
static void registry_start(void)
{
	cr_assert_eq(lab_registry_start(&R.reg), 0,
		     "docker-registry did not start (scripts/deps.sh "
		     "installs it)");
}

/* Pushes lab image 'src' from daemon 'sock' as R.ref, then untags it. */
static void push_as_ref(const char *sock, const char *src)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_docker(&out, sock,
				"tag %s %s && docker -H unix://%s "
				"push %s && docker -H unix://%s "
				"rmi %s",
				src, R.ref, sock, R.ref, sock, R.ref),
		     0, "%s", out.buf);
	sbuf_release(&out);
}

/*
 * R.ref on "linux" is lab image 'lab_image' as daemon 'from' has it (each
 * daemon imported its lab images itself, so their ids differ).
 */
static void
assert_ref_is(const char *from, const char *lab_image, const char *why)
{
	char *want = image_id(from, lab_image);
	char *got = image_id(LAB_LINUX_SOCK, R.ref);

	cr_assert_not_null(want);
	cr_assert_not_null(got, "%s: %s is not on linux", why, R.ref);
	cr_assert_str_eq(got, want, "%s: %s is not %s", why, R.ref, lab_image);
	free(want);
	free(got);
}

static void app_with(const char *policy)
{
	char yaml[512];

	snprintf(yaml, sizeof(yaml),
		 "services:\n"
		 "  app:\n"
		 "    image: %s\n"
		 "    command: [\"sleep\", \"3600\"]\n"
		 "    x-mixcompose: {daemon: linux}\n"
		 "%s%s%s",
		 R.ref, policy ? "    pull_policy: " : "", policy ? policy : "",
		 policy ? "\n" : "");
	if (P.dir[0])
		rewrite(yaml);
	else
		project("pull", yaml);
}

/* Runs mixcompose ARGS, which must succeed. */
static void ok(const char *args)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(mc(&out, "%s", args), 0, "%s: %s", args, out.buf);
	sbuf_release(&out);
}

Test(integration_deps, always_pulls_again_missing_does_not, .timeout = 240)
{
	registry_start();
	snprintf(R.ref, sizeof(R.ref), "127.0.0.1:%d/itest-deps-%ld/app:1",
		 R.reg.port, (long)getpid());
	push_as_ref(LAB_LINUX_SOCK, LAB_IMAGE_BUSYBOX);
	app_with("missing");
	ok("up -d --progress plain");
	assert_ref_is(LAB_LINUX_SOCK, LAB_IMAGE_BUSYBOX,
		      "missing pulls a missing image");
	/* The registry now has other content under the same tag. */
	push_as_ref(LAB_WINDOWS_SOCK, LAB_IMAGE_WEBAPP);
	ok("up -d --progress plain");
	assert_ref_is(LAB_LINUX_SOCK, LAB_IMAGE_BUSYBOX,
		      "missing leaves a present image");
	ok("pull --policy missing");
	assert_ref_is(LAB_LINUX_SOCK, LAB_IMAGE_BUSYBOX,
		      "pull --policy missing, not latest");
	ok("up -d --pull always --progress plain");
	assert_ref_is(LAB_WINDOWS_SOCK, LAB_IMAGE_WEBAPP,
		      "--pull always pulls again");
	cr_assert(running("app"));
}

Test(integration_deps, refresh_windows_and_pull_rules, .timeout = 240)
{
	struct sbuf out = SBUF_INIT;
	char yaml[768];
	int dead = free_port();

	registry_start();
	snprintf(R.ref, sizeof(R.ref), "127.0.0.1:%d/itest-deps-%ld/app:1",
		 R.reg.port, (long)getpid());
	push_as_ref(LAB_LINUX_SOCK, LAB_IMAGE_BUSYBOX);
	app_with("daily");
	ok("up -d --progress plain");
	assert_ref_is(LAB_LINUX_SOCK, LAB_IMAGE_BUSYBOX,
		      "daily pulls a missing image");
	push_as_ref(LAB_WINDOWS_SOCK, LAB_IMAGE_WEBAPP);
	ok("up -d --progress plain");
	assert_ref_is(LAB_LINUX_SOCK, LAB_IMAGE_BUSYBOX,
		      "daily: pulled seconds ago");
	/* LastTagTime is in whole seconds here: wait past the window. */
	app_with("every_2s");
	sleep(3);
	ok("up -d --progress plain");
	assert_ref_is(LAB_WINDOWS_SOCK, LAB_IMAGE_WEBAPP,
		      "every_2s: the last pull is older");
	/* mixcompose pull skips never, and --policy always overrides it. */
	push_as_ref(LAB_WINDOWS_SOCK, LAB_IMAGE_BUSYBOX);
	app_with("never");
	ok("pull");
	assert_ref_is(LAB_WINDOWS_SOCK, LAB_IMAGE_WEBAPP,
		      "pull skips pull_policy: never");
	ok("pull --policy always");
	assert_ref_is(LAB_WINDOWS_SOCK, LAB_IMAGE_BUSYBOX,
		      "pull --policy always");
	/* A service whose registry is gone: a failure, unless ignored. */
	snprintf(yaml, sizeof(yaml),
		 "services:\n"
		 "  app:\n"
		 "    image: %s\n"
		 "    x-mixcompose: {daemon: linux}\n"
		 "  dead:\n"
		 "    image: 127.0.0.1:%d/mixdeps/dead:1\n"
		 "    x-mixcompose: {daemon: linux}\n",
		 R.ref, dead);
	rewrite(yaml);
	cr_assert_eq(mc(&out, "pull"), 1, "%s", out.buf);
	snprintf(yaml, sizeof(yaml), "127.0.0.1:%d", dead);
	cr_assert(strstr(out.buf, "dead (linux)"), "%s", out.buf);
	cr_assert(strstr(out.buf, yaml), "the error names %s: %s", yaml,
		  out.buf);
	sbuf_reset(&out);
	cr_assert_eq(mc(&out, "pull --ignore-pull-failures"), 0, "%s", out.buf);
	cr_assert(strstr(out.buf, "warning: dead (linux)"), "%s", out.buf);
	sbuf_release(&out);
}

/* ---- depends_on restart: true ------------------------------------------ */

#define RESTART_YAML(db_cmd)                                                   \
	"services:\n"                                                          \
	"  db:\n"                                                              \
	"    image: local/busybox:lab\n"                                       \
	"    command: [\"sleep\", \"" db_cmd "\"]\n"                           \
	"    x-mixcompose: {daemon: linux}\n"                                  \
	"  web:\n"                                                             \
	"    image: local/busybox:lab\n"                                       \
	"    command: [\"sleep\", \"3600\"]\n"                                 \
	"    x-mixcompose: {daemon: linux}\n"                                  \
	"    depends_on:\n"                                                    \
	"      db: {condition: service_started, restart: true}\n"              \
	"  api:\n"                                                             \
	"    image: local/busybox:lab\n"                                       \
	"    command: [\"sleep\", \"3600\"]\n"                                 \
	"    x-mixcompose: {daemon: linux}\n"                                  \
	"    depends_on:\n"                                                    \
	"      db: {condition: service_started, restart: false}\n"

static char *started_at(const char *service)
{
	char *s =
		docker_str(LAB_LINUX_SOCK,
			   "inspect -f '{{.Id}} {{.State.StartedAt}}' %s-%s-1",
			   P.name, service);

	cr_assert_not_null(s, "no container for %s", service);
	return s;
}

Test(integration_deps, restart_true_restarts_the_dependent)
{
	struct sbuf out = SBUF_INIT;
	char *web0, *api0, *web1, *api1;
	int rc;

	project("restart", RESTART_YAML("3600"));
	rc = mc(&out, "up -d --progress plain");
	cr_assert_eq(rc, 0, "%s", out.buf);
	web0 = started_at("web");
	api0 = started_at("api");
	sleep(1); /* StartedAt has nanoseconds; be safe anyway */
	rewrite(RESTART_YAML("3601"));
	sbuf_reset(&out);
	rc = mc(&out, "up -d --progress plain");
	cr_assert_eq(rc, 0, "%s", out.buf);
	cr_assert(strstr(out.buf, "-web-1 (linux)  Stopped"), "%s", out.buf);
	web1 = started_at("web");
	api1 = started_at("api");
	/* Same container (same id prefix), started again. */
	cr_assert_eq(strncmp(web0, web1, 64), 0, "%s / %s", web0, web1);
	cr_assert_str_neq(web0, web1, "web was not restarted");
	cr_assert_str_eq(api0, api1, "api (restart: false) was touched");
	cr_assert(running("web"));
	free(web0);
	free(api0);
	free(web1);
	free(api1);
	sbuf_release(&out);
}
