/*
 * build: against the real lab.  Each image is built by the daemon of its
 * service's platform (the windows stand-in for a windows service), then
 * `up` runs it and exec proves its content.  Each test copies a fixture
 * of tests/fixtures/integration/build/ into a temporary directory and
 * uses a project name of its own; the fini hook runs `down -v -t 0` and
 * removes every image labelled with the project on both daemons, then
 * checks with the docker CLI that nothing is left, even after a failure.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab_util.h"
#include "util/sbuf.h"

#define BUILD_FIXTURES TEST_FIXTURES_DIR "/integration/build/"

static struct lab_project P;

#define mc(out, ...) lab_mc(&P, out, __VA_ARGS__)

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
}

/* Copies fixture directory 'fixture' (with dot files) to a temp dir. */
static void project(const char *fixture, const char *tag)
{
	cr_assert_eq(lab_project_init(&P, "ibld", tag), 0);
	cr_assert_eq(lab_sh(NULL, "cp -a '%s%s/.' '%s/'", BUILD_FIXTURES,
			    fixture, P.dir),
		     0);
}

static void fini(void)
{
	if (!P.name[0])
		return;
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
	/* Its built images carry the project label too. */
	cr_expect_eq(lab_project_rmi(P.name), 0, "images left");
}

TestSuite(integration_build, .init = setup, .fini = fini, .timeout = 300);

/* True if image NAME-svc exists on 'sock'. */
static bool has_image(const char *sock, const char *svc)
{
	return lab_docker(NULL, sock, "image inspect %s-%s >/dev/null 2>&1",
			  P.name, svc) == 0;
}

static char *image_id(const char *sock, const char *svc)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_docker(&out, sock, "image inspect -f '{{.Id}}' %s-%s",
				P.name, svc),
		     0, "%s", out.buf);
	return sbuf_detach(&out, NULL);
}

/* `mixcompose exec -T SVC ARGS` stdout (stderr discarded). */
static void exec_out(struct sbuf *out, const char *svc, const char *args)
{
	sbuf_reset(out);
	cr_assert_eq(lab_sh(out,
			    "cd '%s' && %s -p %s exec -T %s %s 2>/dev/null",
			    P.dir, MIXCOMPOSE_BIN, P.name, svc, args),
		     0, "exec %s %s: %s", svc, args, out->buf);
}

Test(integration_build, each_image_is_built_by_its_service_daemon)
{
	struct sbuf out = SBUF_INIT;

	project(".", "daemon");
	cr_assert_eq(mc(&out, "build --progress plain"), 0, "%s", out.buf);
	/* The build output of each daemon is shown, tagged with it. */
	cr_expect(strstr(out.buf, "(windows) | Step 1/"), "%s", out.buf);
	cr_expect(strstr(out.buf, "(linux) | Step 1/"), "%s", out.buf);
	/* Where each image is: only on the daemon of its service. */
	cr_assert(has_image(LAB_WINDOWS_SOCK, "win"));
	cr_assert_not(has_image(LAB_LINUX_SOCK, "win"));
	cr_assert(has_image(LAB_LINUX_SOCK, "lin"));
	cr_assert_not(has_image(LAB_WINDOWS_SOCK, "lin"));
	cr_assert(has_image(LAB_LINUX_SOCK, "inl"));
	/* Images carry compose's project and service labels. */
	sbuf_reset(&out);
	cr_assert_eq(lab_docker(&out, LAB_WINDOWS_SOCK,
				"image inspect -f "
				"'{{index .Config.Labels "
				"\"com.docker.compose.service\"}}' %s-win",
				P.name),
		     0, "%s", out.buf);
	cr_expect_str_eq(out.buf, "win\n");

	cr_assert_eq(mc(&out, "up -d --progress quiet"), 0, "%s", out.buf);
	exec_out(&out, "win", "cat /hello.txt /greeting.txt");
	cr_expect_str_eq(out.buf, "hello-from-context\nfrom-windows\n");
	exec_out(&out, "lin", "cat /hello.txt /greeting.txt");
	cr_expect_str_eq(out.buf, "hello-from-context\nfrom-linux\n");
	exec_out(&out, "inl", "cat /inline.txt");
	cr_expect_str_eq(out.buf, "inline\n");
	/* What .dockerignore names never reached the daemon. */
	exec_out(&out, "win", "ls -a /ctx");
	cr_expect(strstr(out.buf, "hello.txt"), "%s", out.buf);
	cr_expect(strstr(out.buf, "Dockerfile"), "%s", out.buf);
	cr_expect_null(strstr(out.buf, "secret.txt"), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_build, up_builds_only_what_is_missing_unless_build)
{
	struct sbuf out = SBUF_INIT;
	char *id1, *id2;

	project(".", "up");
	cr_assert_not(has_image(LAB_WINDOWS_SOCK, "win"));
	cr_assert_eq(mc(&out, "up -d --progress plain win"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "(windows)  Built"), "%s", out.buf);
	id1 = image_id(LAB_WINDOWS_SOCK, "win");
	/* Present now: a second up leaves it alone. */
	cr_assert_eq(mc(&out, "up -d --progress plain win"), 0, "%s", out.buf);
	cr_expect_null(strstr(out.buf, "Built"), "%s", out.buf);
	/* --build builds again; with --no-cache the RUN gives a new id. */
	cr_assert_eq(mc(&out, "build -q --no-cache win"), 0, "%s", out.buf);
	id2 = image_id(LAB_WINDOWS_SOCK, "win");
	cr_expect_str_neq(id1, id2);
	cr_assert_eq(mc(&out, "up -d --build --progress plain win"), 0, "%s",
		     out.buf);
	cr_expect(strstr(out.buf, "(windows)  Built"), "%s", out.buf);
	/* The container ran id1: compose v2 recreates it on the new image. */
	cr_expect(strstr(out.buf, "Recreate"), "%s", out.buf);
	{
		struct sbuf img = SBUF_INIT;

		cr_assert_eq(lab_docker(&img, LAB_WINDOWS_SOCK,
					"inspect -f '{{.Image}}' %s-win-1",
					P.name),
			     0, "%s", img.buf);
		cr_expect_str_eq(img.buf, id2);
		sbuf_release(&img);
	}
	/* Nothing changed since: the next up keeps it. */
	cr_assert_eq(mc(&out, "up -d --progress plain win"), 0, "%s", out.buf);
	cr_expect_null(strstr(out.buf, "Recreate"), "%s", out.buf);
	free(id1);
	free(id2);
	sbuf_release(&out);
}

Test(integration_build, build_arg_from_command_line)
{
	struct sbuf out = SBUF_INIT;

	project(".", "arg");
	cr_assert_eq(mc(&out, "build -q --build-arg GREETING=overridden lin"),
		     0, "%s", out.buf);
	cr_assert_not(has_image(LAB_WINDOWS_SOCK, "win"), "only lin built");
	cr_assert_eq(mc(&out, "up -d --no-build --progress quiet lin"), 0, "%s",
		     out.buf);
	exec_out(&out, "lin", "cat /greeting.txt");
	cr_expect_str_eq(out.buf, "overridden\n");
	sbuf_release(&out);
}

Test(integration_build, failing_run_gives_the_daemon_error)
{
	struct sbuf out = SBUF_INIT;

	project("bad", "bad");
	cr_assert_eq(mc(&out, "up -d --progress plain"), 1, "%s", out.buf);
	/* The windows daemon's own message, naming the daemon. */
	cr_expect(strstr(out.buf, "daemon 'windows': POST "), "%s", out.buf);
	cr_expect(strstr(out.buf, "returned a non-zero code: 3"), "%s",
		  out.buf);
	cr_expect_eq(lab_leftovers(P.name, "container"), 0,
		     "nothing was created");
	sbuf_release(&out);
}

Test(integration_build, ulimits_and_isolation_reach_the_build)
{
	struct sbuf out = SBUF_INIT;

	project("limits", "lim");
	cr_assert_eq(mc(&out, "build -q lim"), 0, "%s", out.buf);
	cr_assert_eq(mc(&out, "up -d --no-build --progress quiet lim"), 0, "%s",
		     out.buf);
	/* What `ulimit` said inside the RUN step: soft, then hard. */
	exec_out(&out, "lim", "cat /nofile.txt");
	cr_expect_str_eq(out.buf, "1234\n2345\n");
	/* A Linux daemon takes only the default isolation: its message. */
	cr_assert_eq(mc(&out, "build iso"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "solation: \"process\""), "%s", out.buf);
	cr_expect_not(has_image(LAB_LINUX_SOCK, "iso"));
	sbuf_release(&out);
}

Test(integration_build, keys_the_classic_builder_lacks_are_refused_first)
{
	struct sbuf out = SBUF_INIT;

	project("limits", "ssh");
	cr_assert_eq(mc(&out, "build ssh"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "compose.yaml:34:7: services.ssh.build.ssh: "
				  "the classic builder, which mixcompose "
				  "uses, doesn't support SSH keys"),
		  "%s", out.buf);
	/* up builds the missing image: refused, before any network. */
	cr_assert_eq(mc(&out, "up -d --progress plain ssh"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "services.ssh.build.ssh: the classic"), "%s",
		  out.buf);
	cr_expect_not(has_image(LAB_LINUX_SOCK, "ssh"));
	cr_expect_eq(lab_leftovers(P.name, "container"), 0);
	cr_expect_eq(lab_leftovers(P.name, "network"), 0);
	sbuf_release(&out);
}

Test(integration_build, run_builds_a_missing_image_first)
{
	struct sbuf out = SBUF_INIT;

	project(".", "run");
	cr_assert_not(has_image(LAB_WINDOWS_SOCK, "win"));
	sbuf_reset(&out);
	cr_assert_eq(lab_sh(&out,
			    "cd '%s' && %s -p %s run --rm -T win "
			    "cat /greeting.txt 2>/dev/null",
			    P.dir, MIXCOMPOSE_BIN, P.name),
		     0, "%s", out.buf);
	cr_expect_str_eq(out.buf, "from-windows\n");
	cr_assert(has_image(LAB_WINDOWS_SOCK, "win"), "built on windows");
	cr_assert_not(has_image(LAB_LINUX_SOCK, "win"));
	sbuf_release(&out);
}

/* The fixture under a project name of its own, "rmi-TAG-...". */
static void rmi_project(const char *tag)
{
	cr_assert_eq(lab_project_init(&P, "rmi", tag), 0);
	cr_assert_eq(lab_sh(NULL, "cp -a '%s./.' '%s/'", BUILD_FIXTURES, P.dir),
		     0);
}

/* True if 'ref' is on the daemon of 'sock'. */
static bool has_ref(const char *sock, const char *ref)
{
	return lab_docker(NULL, sock, "image inspect %s >/dev/null 2>&1",
			  ref) == 0;
}

/* The lab's shared images are still on both daemons. */
static void expect_lab_images(void)
{
	const char *socks[] = {LAB_LINUX_SOCK, LAB_WINDOWS_SOCK};

	for (size_t i = 0; i < 2; i++)
		cr_expect(has_ref(socks[i], LAB_IMAGE_BUSYBOX),
			  "%s gone from %s", LAB_IMAGE_BUSYBOX, socks[i]);
}

/*
 * compose v2 picks the images from the project, not from the containers:
 * after a plain down, down --rmi local still finds the built images (by
 * their labels), each on the daemon of its service.
 */
Test(integration_build, down_rmi_local_after_down_removes_the_built_images)
{
	struct sbuf out = SBUF_INIT;

	rmi_project("loc");
	cr_assert_eq(mc(&out, "up -d --build --progress quiet win lin"), 0,
		     "%s", out.buf);
	cr_assert(has_image(LAB_WINDOWS_SOCK, "win"));
	cr_assert(has_image(LAB_LINUX_SOCK, "lin"));
	cr_assert_eq(mc(&out, "down -t 0 --progress quiet"), 0, "%s", out.buf);
	cr_assert(has_image(LAB_WINDOWS_SOCK, "win"), "down took no image");
	cr_assert_eq(lab_leftovers(P.name, "container"), 0);
	cr_assert_eq(mc(&out, "down -t 0 --rmi local --progress plain"), 0,
		     "%s", out.buf);
	cr_expect(strstr(out.buf, "(windows)  Removed"), "%s", out.buf);
	cr_expect(strstr(out.buf, "(linux)  Removed"), "%s", out.buf);
	cr_expect_not(has_image(LAB_WINDOWS_SOCK, "win"), "win still there");
	cr_expect_not(has_image(LAB_LINUX_SOCK, "lin"), "lin still there");
	/* Never built: "inl" has no image, and that is no error. */
	cr_expect_null(strstr(out.buf, "-inl"), "%s", out.buf);
	expect_lab_images();
	sbuf_release(&out);
}

/*
 * --rmi all without any container: a service's image: that exists goes,
 * from its service's daemon only; a missing one and a build never made
 * are no error, and the lab's images, which the project does not name,
 * stay.
 */
Test(integration_build, down_rmi_all_removes_existing_image_keys)
{
	struct sbuf out = SBUF_INIT;
	char ref[128];

	rmi_project("all");
	snprintf(ref, sizeof(ref), "%s-img:1", P.name);
	cr_assert_eq(lab_docker(NULL, LAB_LINUX_SOCK, "tag %s %s",
				LAB_IMAGE_BUSYBOX, ref),
		     0);
	cr_assert_eq(lab_docker(NULL, LAB_WINDOWS_SOCK, "tag %s %s",
				LAB_IMAGE_BUSYBOX, ref),
		     0);
	cr_assert_eq(lab_sh(NULL,
			    "printf 'services:\\n  a:\\n    image: %s\\n"
			    "    platform: linux\\n  b:\\n    image: "
			    "%s-never:1\\n  c:\\n    build: ./app\\n' > "
			    "'%s/compose.yaml'",
			    ref, P.name, P.dir),
		     0);
	cr_assert_eq(mc(&out, "down -t 0 --rmi all --progress plain"), 0, "%s",
		     out.buf);
	cr_expect_not(has_ref(LAB_LINUX_SOCK, ref), "%s still on linux", ref);
	cr_expect(has_ref(LAB_WINDOWS_SOCK, ref),
		  "%s is not a windows service's: it stays there", ref);
	cr_expect_null(strstr(out.buf, "-never"), "%s", out.buf);
	expect_lab_images();
	lab_docker(NULL, LAB_WINDOWS_SOCK, "rmi %s", ref);
	lab_docker(NULL, LAB_LINUX_SOCK, "rmi %s", ref);
	sbuf_release(&out);
}

Test(integration_build, down_rmi_all_removes_the_images_the_containers_used)
{
	struct sbuf out = SBUF_INIT;
	char ref[128];

	project(".", "rmia");
	/* Its own name for a lab image, so 'all' takes only that tag. */
	snprintf(ref, sizeof(ref), "%s-img:1", P.name);
	cr_assert_eq(lab_docker(NULL, LAB_WINDOWS_SOCK, "tag %s %s",
				LAB_IMAGE_BUSYBOX, ref),
		     0);
	cr_assert_eq(lab_sh(NULL,
			    "printf 'services:\\n  w:\\n    image: %s\\n"
			    "    platform: windows\\n    command: [sleep, "
			    "\"300\"]\\n' > '%s/compose.yaml'",
			    ref, P.dir),
		     0);
	cr_assert_eq(mc(&out, "up -d --progress quiet"), 0, "%s", out.buf);
	cr_assert_eq(mc(&out, "down -t 0 --rmi all --progress plain"), 0, "%s",
		     out.buf);
	cr_expect_neq(
		lab_docker(NULL, LAB_WINDOWS_SOCK, "image inspect %s", ref), 0,
		"%s still there", ref);
	cr_expect_eq(lab_docker(NULL, LAB_WINDOWS_SOCK, "image inspect %s",
				LAB_IMAGE_BUSYBOX),
		     0, "the lab image went with its other tag");
	lab_docker(NULL, LAB_WINDOWS_SOCK, "rmi %s", ref);
	sbuf_release(&out);
}

/* ---- BuildKit: cache_to and entitlements ------------------------------ */

/*
 * An image whose build needs BuildKit (cache_to type=inline, entitlements
 * network.host) is built by the linux daemon's BuildKit (POST /build with
 * version=2), the others by its classic builder, and what the Engine's
 * /build API cannot do is refused before anything is created.  Projects
 * are named "buildkit-..." and copy tests/fixtures/integration/buildkit/.
 */
#define BK_FIXTURES TEST_FIXTURES_DIR "/integration/buildkit"
/* The linux lab daemon's default bridge, in the host's namespace. */
#define LINUX_BRIDGE "mixlab-lnx"

static void bk_setup(void)
{
	setup();
	cr_assert_eq(lab_project_init(&P, "buildkit", "t"), 0);
	cr_assert_eq(lab_sh(NULL, "cp -a '%s/.' '%s/'", BK_FIXTURES, P.dir), 0);
}

TestSuite(integration_buildkit, .init = bk_setup, .fini = fini, .timeout = 300);

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
	exec_out(&out, "cached", "cat /note.txt");
	cr_expect_str_eq(out.buf, "note: buildkit\n");
	exec_out(&out, "classic", "cat /note.txt");
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
	exec_out(&out, "hostnet", "cat /nets.txt");
	cr_expect(strstr(out.buf, LINUX_BRIDGE "\n"), "%s", out.buf);
	cr_expect(strstr(out.buf, "lo\n"), "%s", out.buf);
	/* Whereas a classic RUN step has a network namespace of its own. */
	cr_assert_eq(lab_sh(&out, "sed -i '/entitlements/d' '%s/compose.yaml'",
			    P.dir),
		     0);
	cr_assert_eq(mc(&out, "up -d --build --progress plain hostnet"), 0,
		     "%s", out.buf);
	exec_out(&out, "hostnet", "cat /nets.txt");
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
	cr_expect_not(has_image(LAB_LINUX_SOCK, "reg"));
	cr_expect_not(has_image(LAB_WINDOWS_SOCK, "win"));
	sbuf_release(&out);
}

/* ---- BuildKit: every build key it is sent ------------------------------ */

/*
 * Each key that POST /build carries, under the daemon's BuildKit (cache_to
 * type=inline), on dockerd 20.10 (the lab's linux daemon) and 26.1 (its
 * windows stand-in, declared linux here): what the RUN step saw proves
 * the key reached it, and what 20.10 drops is refused before anything is
 * made.  Projects are named "bkkeys-..."; BKMARK (the project name) makes
 * every RUN step the test's own, so the fini hook removes the build cache
 * records they made (and only those) besides the images.
 */
#define BKK_FIXTURES TEST_FIXTURES_DIR "/integration/bkkeys"
#define BKK_26 "unix://" LAB_WINDOWS_SOCK ",os=linux"

static void bkk_setup(void)
{
	setup();
	cr_assert_eq(lab_project_init(&P, "bkkeys", "t"), 0);
	cr_assert_eq(lab_sh(NULL, "cp -a '%s/.' '%s/'", BKK_FIXTURES, P.dir),
		     0);
	setenv("BKMARK", P.name, 1);
}

/*
 * pull's registry port once it ran (its pulls' records name it), else 0;
 * the registry itself, and the names its test gave the lab's images.
 */
static int bkk_reg_port;
static struct lab_registry bkk_reg;

/* One pass of bkk_cache_prune(): how many are left after it. */
static int bkk_cache_prune_once(const char *sock, struct sbuf *out)
{
	char mine[160];

	/* A jq test: the project's RUN steps, the registry's pulls. */
	snprintf(mine, sizeof(mine),
		 "contains(\"%s\") or (%d > 0 and "
		 "contains(\"127.0.0.1:%d/\"))",
		 P.name, bkk_reg_port, bkk_reg_port);
	lab_sh(NULL,
	       "curl -s --unix-socket %s 'http://d/system/df?type=build-cache' "
	       "| jq -r '.BuildCache[]? | select(.Description | %s) | .ID' | "
	       "while read -r id; do curl -s -X POST --unix-socket %s "
	       "\"http://d/build/prune?all=1&filters="
	       "%%7B%%22id%%22%%3A%%5B%%22$id%%22%%5D%%7D\" >/dev/null; done",
	       sock, mine, sock);
	sbuf_reset(out);
	lab_sh(out,
	       "curl -s --unix-socket %s 'http://d/system/df?type=build-cache' "
	       "| jq '[.BuildCache[]? | select(.Description | %s)] | length'",
	       sock, mine);
	/* Not a number (curl or jq failed): unknown, not none. */
	return out->buf && *out->buf >= '0' && *out->buf <= '9' ? atoi(out->buf)
								: -1;
}

/*
 * Removes the build cache records of RUN steps that name the project, on
 * 'sock'; returns how many are left.  A record the daemon still held a
 * moment ago (26.1, right after its image went) goes on a second try.
 */
static int bkk_cache_prune(const char *sock)
{
	struct sbuf out = SBUF_INIT;
	int left = -1;

	for (int i = 0; i < 5 && left; i++) {
		if (i)
			usleep(500000);
		left = bkk_cache_prune_once(sock, &out);
	}
	sbuf_release(&out);
	return left;
}

static void bkk_reg_fini(void)
{
	static const char *const socks[] = {LAB_LINUX_SOCK, LAB_WINDOWS_SOCK};

	if (!bkk_reg.pid)
		return;
	/* By name only: the lab's own images keep theirs. */
	for (size_t i = 0; i < 2; i++)
		lab_docker(NULL, socks[i],
			   "image ls --digests --format '{{.Repository}}:"
			   "{{.Tag}} {{.Repository}}@{{.Digest}}' | tr ' ' "
			   "'\\n' | grep '^127.0.0.1:%d/' | grep -v "
			   "':<none>$' | grep -v '@<none>$' | xargs -r docker "
			   "-H unix://%s rmi",
			   bkk_reg.port, socks[i]);
	lab_registry_stop(&bkk_reg);
	unsetenv("BKREG");
}

/* The images first: a record that an image still uses may stay. */
static void bkk_fini(void)
{
	unsetenv("BKMARK");
	bkk_reg_fini();
	fini();
	if (P.name[0]) {
		cr_expect_eq(bkk_cache_prune(LAB_LINUX_SOCK), 0,
			     "build cache left on linux");
		cr_expect_eq(bkk_cache_prune(LAB_WINDOWS_SOCK), 0,
			     "build cache left on windows");
	}
	bkk_reg_port = 0;
}

/* Whether the plain progress in 'out' shows step 'name' as CACHED. */
static bool bkk_cached(const char *out, const char *name)
{
	const char *at = strstr(out, name), *hash;
	char want[32];

	cr_assert_not_null(at, "no step %s: %s", name, out);
	while (at > out && at[-1] != '#')
		at--;
	hash = at;
	snprintf(want, sizeof(want), "#%d CACHED\n", atoi(hash));
	return strstr(out, want) != NULL;
}

TestSuite(integration_bkkeys,
	  .init = bkk_setup,
	  .fini = bkk_fini,
	  .timeout = 300);

/* `docker run --rm IMAGE cat FILE` on 'sock', into 'out'. */
static int
bkk_cat(struct sbuf *out, const char *sock, const char *svc, const char *file)
{
	sbuf_reset(out);
	return lab_docker(out, sock, "run --rm %s-%s cat %s 2>&1", P.name, svc,
			  file);
}

Test(integration_bkkeys, limits_are_refused_on_20_10_and_built_on_26_1)
{
	struct sbuf out = SBUF_INIT;

	/* 20.10's BuildKit would drop them: refused, nothing built. */
	cr_assert_eq(mc(&out, "build lim"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "compose.yaml:30:7: services.lim.build."
				  "ulimits: daemon 'linux' speaks Engine API "
				  "1.41, whose BuildKit (which build.cache_to "
				  "needs) drops it; BuildKit takes "
				  "build.ulimits from API 1.42"),
		  "%s", out.buf);
	cr_expect_not(has_image(LAB_LINUX_SOCK, "lim"));
	/* up too, before any network or container. */
	cr_assert_eq(mc(&out, "up -d --progress plain lim"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "services.lim.build.ulimits: daemon "
				  "'linux' speaks Engine API 1.41"),
		  "%s", out.buf);
	cr_expect_eq(lab_leftovers(P.name, "network"), 0);
	cr_expect_eq(lab_sh(&out, "sed -i '/ulimits:/,+1d' '%s/compose.yaml'",
			    P.dir),
		     0);
	cr_assert_eq(mc(&out, "build lim"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "services.lim.build.shm_size: daemon "
				  "'linux' speaks Engine API 1.41"),
		  "%s", out.buf);
	/* 26.1's BuildKit takes both. */
	cr_assert_eq(
		lab_sh(NULL, "cp '%s/compose.yaml' '%s/'", BKK_FIXTURES, P.dir),
		0);
	setenv("MIXCOMPOSE_DAEMON_LINUX", BKK_26, 1);
	cr_assert_eq(mc(&out, "build --progress plain lim"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "RUN echo bkkeys-"), "BuildKit: %s", out.buf);
	cr_assert_eq(bkk_cat(&out, LAB_WINDOWS_SOCK, "lim", "/probe.txt"), 0,
		     "%s", out.buf);
	cr_expect(!strncmp(out.buf, "1234\n2345\n", 10), "%s", out.buf);
	cr_expect(strstr(out.buf, " 98304 "), "96m of /dev/shm: %s", out.buf);
	lab_env();
	sbuf_release(&out);
}

/* The keys service on the daemon at 'sock': what its RUN step saw. */
static void bkk_keys_on(const char *sock)
{
	struct sbuf out = SBUF_INIT;
	char ref[128];

	cr_assert_eq(mc(&out, "build --progress plain keys"), 0, "%s", out.buf);
	cr_assert_eq(bkk_cat(&out, sock, "keys", "/probe.txt"), 0, "%s",
		     out.buf);
	/* args, extra_hosts, network none (only lo). */
	cr_expect(strstr(out.buf, "note=from-args\n"), "%s", out.buf);
	cr_expect(strstr(out.buf, "10.9.8.7\tprobe.bkkeys.test\n"), "%s",
		  out.buf);
	cr_expect(strstr(out.buf, "\nlo\nnote="), "%s", out.buf);
	cr_expect_null(strstr(out.buf, "eth0"), "%s", out.buf);
	/* target: the first stage, without the second's file. */
	cr_expect_neq(bkk_cat(&out, sock, "keys", "/other.txt"), 0, "%s",
		      out.buf);
	/* labels, beside compose's; tags. */
	sbuf_reset(&out);
	cr_assert_eq(lab_docker(&out, sock,
				"image inspect -f '{{index .Config.Labels "
				"\"io.bkkeys.label\"}} {{index .Config.Labels "
				"\"com.docker.compose.service\"}}' %s-keys",
				P.name),
		     0, "%s", out.buf);
	cr_expect_str_eq(out.buf, "labelled keys\n");
	snprintf(ref, sizeof(ref), "%s-extra:1", P.name);
	cr_expect(has_ref(sock, ref), "tag %s", ref);
	/* no_cache: the RUN step is run again, not taken from the cache. */
	cr_assert_eq(mc(&out, "build --progress plain keys"), 0, "%s", out.buf);
	cr_expect_not(bkk_cached(out.buf, "] RUN echo bkkeys-"), "%s", out.buf);
	cr_assert_eq(
		lab_sh(NULL, "sed -i '/no_cache/d' '%s/compose.yaml'", P.dir),
		0);
	cr_assert_eq(mc(&out, "build --progress plain keys"), 0, "%s", out.buf);
	cr_expect(bkk_cached(out.buf, "] RUN echo bkkeys-"), "%s", out.buf);
	/* isolation: a Linux daemon's own refusal, as without BuildKit. */
	cr_assert_eq(mc(&out, "build iso"), 1, "%s", out.buf);
	cr_expect(strstr(out.buf, "nsupported isolation: \"process\""), "%s",
		  out.buf);
	sbuf_release(&out);
}

Test(integration_bkkeys, keys_reach_buildkit_on_20_10)
{
	bkk_keys_on(LAB_LINUX_SOCK);
}

Test(integration_bkkeys, keys_reach_buildkit_on_26_1)
{
	setenv("MIXCOMPOSE_DAEMON_LINUX", BKK_26, 1);
	bkk_keys_on(LAB_WINDOWS_SOCK);
	lab_env();
}

/*
 * cache_from in buildx's CSV form imports cfa's inline cache (BuildKit
 * would have cut "type=registry,ref=R" in two and built again): after the
 * build cache is gone, cfb's RUN step gives cfa's random file, the
 * control cfc a new one.
 */
static void bkk_cache_from_on(const char *sock)
{
	struct sbuf out = SBUF_INIT;
	char *a;

	cr_assert_eq(mc(&out, "build -q cfa"), 0, "%s", out.buf);
	cr_assert_eq(bkk_cat(&out, sock, "cfa", "/t.txt"), 0, "%s", out.buf);
	a = sbuf_detach(&out, NULL);
	cr_assert_eq(bkk_cache_prune(sock), 0);
	cr_assert_eq(mc(&out, "build -q cfb"), 0, "%s", out.buf);
	cr_assert_eq(bkk_cat(&out, sock, "cfb", "/t.txt"), 0, "%s", out.buf);
	cr_expect_str_eq(out.buf, a, "cfb did not use cfa's cache");
	cr_assert_eq(bkk_cache_prune(sock), 0);
	cr_assert_eq(mc(&out, "build -q cfc"), 0, "%s", out.buf);
	cr_assert_eq(bkk_cat(&out, sock, "cfc", "/t.txt"), 0, "%s", out.buf);
	cr_expect_str_neq(out.buf, a, "the control found a cache");
	free(a);
	sbuf_release(&out);
}

Test(integration_bkkeys, cache_from_imports_an_image_s_inline_cache)
{
	bkk_cache_from_on(LAB_LINUX_SOCK);
	setenv("MIXCOMPOSE_DAEMON_LINUX", BKK_26, 1);
	bkk_cache_from_on(LAB_WINDOWS_SOCK);
	lab_env();
}

/* 26.1's BuildKit warns of an empty continuation line; 20.10's cannot. */
Test(integration_bkkeys, buildkit_warnings_are_printed)
{
	struct sbuf out = SBUF_INIT;

	setenv("MIXCOMPOSE_DAEMON_LINUX", BKK_26, 1);
	cr_assert_eq(mc(&out, "build --progress plain warn"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, " WARN: Empty continuation line found in: "
				  "RUN echo bkkeys-"),
		  "%s", out.buf);
	cr_expect(strstr(out.buf, "-warn (linux) | 1 warning found:\n"), "%s",
		  out.buf);
	cr_expect(strstr(out.buf, "-warn (linux) |  - Empty continuation line"),
		  "%s", out.buf);
	lab_env();
	cr_assert_eq(mc(&out, "build --progress plain warn"), 0, "%s", out.buf);
	cr_expect_null(strstr(out.buf, "WARN"), "%s", out.buf);
	sbuf_release(&out);
}

/*
 * pull: the test's registry has busybox as BKREG/bkkeys-base:1, the
 * daemon a local nginx image under that name; BuildKit builds on the
 * registry's with pull: true, on the local one without.  The fini hook
 * removes the names (tag and pulled digest) and stops the registry.
 */
static void bkk_pull_on(const char *sock)
{
	struct sbuf out = SBUF_INIT;
	char ref[96];

	snprintf(ref, sizeof(ref), "127.0.0.1:%d/bkkeys-base:1", bkk_reg.port);
	cr_assert_eq(lab_docker(&out, sock,
				"tag %s %s && docker -H unix://%s "
				"push %s >/dev/null && docker -H "
				"unix://%s tag %s %s",
				LAB_IMAGE_BUSYBOX, ref, sock, ref, sock,
				LAB_IMAGE_NGINX, ref),
		     0, "%s", out.buf);
	cr_assert_eq(mc(&out, "build -q pulled local"), 0, "%s", out.buf);
	cr_assert_eq(bkk_cat(&out, sock, "pulled", "/base.txt"), 0, "%s",
		     out.buf);
	cr_expect_str_eq(out.buf, "busybox\n");
	cr_assert_eq(bkk_cat(&out, sock, "local", "/base.txt"), 0, "%s",
		     out.buf);
	cr_expect_str_eq(out.buf, "nginx\n");
	sbuf_release(&out);
}

Test(integration_bkkeys, pull_fetches_the_base_image_again)
{
	char reg[32];

	cr_assert_eq(lab_registry_start(&bkk_reg), 0, "docker-registry");
	bkk_reg_port = bkk_reg.port;
	snprintf(reg, sizeof(reg), "127.0.0.1:%d", bkk_reg.port);
	setenv("BKREG", reg, 1);
	bkk_pull_on(LAB_LINUX_SOCK);
	setenv("MIXCOMPOSE_DAEMON_LINUX", BKK_26, 1);
	bkk_pull_on(LAB_WINDOWS_SOCK);
	lab_env();
}
