/*
 * build.cache_to and build.entitlements against the real lab: an image
 * whose build needs BuildKit is built by the linux daemon's BuildKit
 * (POST /build with version=2), the others by its classic builder, and
 * what the Engine's /build API cannot do is refused before anything is
 * created.  Each test copies tests/fixtures/integration/buildkit/ into a
 * temporary directory under a project name of its own ("buildkit-...");
 * the fini hook runs `down -v -t 0`, removes every image labelled with
 * the project on both daemons and checks that nothing is left, even after
 * a failure.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_util.h"
#include "util/sbuf.h"

#define BK_FIXTURES TEST_FIXTURES_DIR "/integration/buildkit"
/* The linux lab daemon's default bridge, in the host's namespace. */
#define LINUX_BRIDGE "mixlab-lnx"

static const char *const socks[] = {LAB_LINUX_SOCK, LAB_WINDOWS_SOCK};

static struct lab_project P;

#define mc(out, ...) lab_mc(&P, out, __VA_ARGS__)

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
	cr_assert_eq(lab_project_init(&P, "buildkit", "t"), 0);
	cr_assert_eq(lab_sh(NULL, "cp -a '%s/.' '%s/'", BK_FIXTURES, P.dir), 0);
}

static void fini(void)
{
	if (!P.name[0])
		return;
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
	cr_expect_eq(lab_project_rmi(P.name), 0, "images left");
}

TestSuite(integration_buildkit, .init = setup, .fini = fini, .timeout = 300);

static bool has_image(const char *sock, const char *svc)
{
	return lab_docker(NULL, sock, "image inspect %s-%s >/dev/null 2>&1",
			  P.name, svc) == 0;
}

/*
 * Whether the config of image NAME-svc, as `docker save` writes it (the
 * <id>.json of the tar on 20.10, a blob of the OCI layout on 26.1), has
 * BuildKit's inline cache key.
 */
static bool has_inline_cache(const char *svc)
{
	struct sbuf out = SBUF_INIT;
	bool yes;

	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"save %s-%s | tar -xO | grep -a -c "
				"'\"moby.buildkit.cache.v0\"' || true",
				P.name, svc),
		     0, "%s", out.buf);
	yes = atoi(out.buf ? out.buf : "0") > 0;
	sbuf_release(&out);
	return yes;
}

/* `mixcompose exec -T SVC cat FILE` stdout (stderr discarded). */
static void cat_in(struct sbuf *out, const char *svc, const char *file)
{
	sbuf_reset(out);
	cr_assert_eq(lab_sh(out,
			    "cd '%s' && %s -p %s exec -T %s cat %s "
			    "2>/dev/null",
			    P.dir, MIXCOMPOSE_BIN, P.name, svc, file),
		     0, "exec %s cat %s: %s", svc, file, out->buf);
}

Test(integration_buildkit, inline_cache_by_buildkit_beside_the_classic_build)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(mc(&out, "up -d --progress plain cached classic"), 0, "%s",
		     out.buf);
	cr_expect(strstr(out.buf, "(linux)  Built"), "%s", out.buf);
	/* cache_to type=inline took effect; the classic image has none. */
	cr_expect(has_inline_cache("cached"), "no moby.buildkit.cache.v0");
	cr_expect_not(has_inline_cache("classic"), "classic has BuildKit's");
	/* Both images were built with their own args and run. */
	cat_in(&out, "cached", "/note.txt");
	cr_expect_str_eq(out.buf, "note: buildkit\n");
	cat_in(&out, "classic", "/note.txt");
	cr_expect_str_eq(out.buf, "note: classic\n");
	/* The BuildKit image carries compose's labels too. */
	sbuf_reset(&out);
	cr_assert_eq(lab_docker(&out, LAB_LINUX_SOCK,
				"image inspect -f '{{index .Config.Labels "
				"\"com.docker.compose.service\"}}' %s-cached",
				P.name),
		     0, "%s", out.buf);
	cr_expect_str_eq(out.buf, "cached\n");
	/* down --rmi local takes the images these builds made. */
	cr_assert_eq(mc(&out, "down -t 0 --rmi local --progress plain"), 0,
		     "%s", out.buf);
	cr_expect_not(has_image(LAB_LINUX_SOCK, "cached"));
	cr_expect_not(has_image(LAB_LINUX_SOCK, "classic"));
	sbuf_release(&out);
}

Test(integration_buildkit, build_prints_buildkit_steps_and_their_output)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(mc(&out, "build --progress plain cached"), 0, "%s",
		     out.buf);
	/* The plain progress of the steps, tagged with image and daemon. */
	cr_expect(strstr(out.buf, "-cached (linux) | #"), "%s", out.buf);
	cr_expect(
		strstr(out.buf, "] RUN echo \"note: buildkit\" > /note.txt\n"),
		"%s", out.buf);
	cr_expect(strstr(out.buf, " DONE "), "%s", out.buf);
	cr_expect(has_image(LAB_LINUX_SOCK, "cached"));
	/* Again: every step comes from the cache. */
	cr_assert_eq(mc(&out, "build --progress plain cached"), 0, "%s",
		     out.buf);
	cr_expect(strstr(out.buf, " CACHED\n"), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_buildkit, network_host_runs_the_run_step_on_the_host_network)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(mc(&out, "up -d --progress plain hostnet"), 0, "%s",
		     out.buf);
	/* Said once, and not as an ignored key. */
	cr_expect(strstr(out.buf, "services.hostnet.build.entitlements: "
				  "network.host reaches BuildKit"),
		  "%s", out.buf);
	cr_expect_null(strstr(out.buf, "is ignored"), "%s", out.buf);
	/* What the RUN step saw: the host's interfaces, the lab bridge. */
	cat_in(&out, "hostnet", "/nets.txt");
	cr_expect(strstr(out.buf, LINUX_BRIDGE "\n"), "%s", out.buf);
	cr_expect(strstr(out.buf, "lo\n"), "%s", out.buf);
	/* Whereas a classic RUN step has a network namespace of its own. */
	cr_assert_eq(lab_sh(&out, "sed -i '/entitlements/d' '%s/compose.yaml'",
			    P.dir),
		     0);
	cr_assert_eq(mc(&out, "up -d --build --progress plain hostnet"), 0,
		     "%s", out.buf);
	cat_in(&out, "hostnet", "/nets.txt");
	cr_expect_null(strstr(out.buf, LINUX_BRIDGE), "%s", out.buf);
	cr_expect(strstr(out.buf, "eth0\n"), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_buildkit, a_failing_run_step_shows_its_output_and_error)
{
	struct sbuf out = SBUF_INIT;

	/* up: the error carries the step's last output lines. */
	cr_assert_eq(mc(&out, "up -d --progress plain bad"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "daemon 'linux': POST "), "%s", out.buf);
	cr_expect(strstr(out.buf, "/build?rm=1&version=2&"), "%s", out.buf);
	cr_expect(strstr(out.buf, P.name), "%s", out.buf);
	cr_expect(strstr(out.buf, "-bad"), "names the service: %s", out.buf);
	cr_expect(strstr(out.buf, "exit code: 3"), "%s", out.buf);
	cr_expect(strstr(out.buf, " > [2/2] RUN echo boom-from-the-run-step; "
				  "echo second-line; exit 3:\n"
				  "boom-from-the-run-step\nsecond-line"),
		  "%s", out.buf);
	cr_expect_eq(lab_leftovers(P.name, "container"), 0);
	cr_expect_eq(lab_leftovers(P.name, "network"), 0);
	cr_expect_not(has_image(LAB_LINUX_SOCK, "bad"));
	/* build: the steps as they run, then the error. */
	cr_assert_eq(mc(&out, "build --progress plain bad"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "boom-from-the-run-step\n"), "%s", out.buf);
	cr_expect(strstr(out.buf, " ERROR: "), "%s", out.buf);
	cr_expect(strstr(out.buf, "exit code: 3"), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_buildkit, what_build_cannot_do_is_refused_before_anything)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_sh(NULL, "cp '%s/refused/compose.yaml' '%s/'",
			    BK_FIXTURES, P.dir),
		     0);
	cr_assert_eq(mc(&out, "up -d --progress plain"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf,
			 "compose.yaml:8:11: services.reg.build.cache_to[0]: "
			 "cache export 'registry' is not supported: the "
			 "Engine's /build API, which mixcompose builds with, "
			 "exports only the inline cache"),
		  "%s", out.buf);
	cr_expect(strstr(out.buf, "compose.yaml:14:7: service 'win': daemon "
				  "'windows' (windows) has no BuildKit: "
				  "build.cache_to needs it"),
		  "%s", out.buf);
	/* build refuses at once, before any build starts. */
	cr_assert_eq(mc(&out, "build win"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "has no BuildKit"), "%s", out.buf);
	cr_assert_eq(mc(&out, "build reg"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "cache export 'registry'"), "%s", out.buf);
	/* Nothing was made on either daemon. */
	cr_expect_eq(lab_leftovers(P.name, "container"), 0);
	cr_expect_eq(lab_leftovers(P.name, "network"), 0);
	cr_expect_eq(lab_leftovers(P.name, "image"), 0);
	for (size_t i = 0; i < 2; i++) {
		cr_expect_not(has_image(socks[i], "reg"));
		cr_expect_not(has_image(socks[i], "win"));
	}
	sbuf_release(&out);
}
