/*
 * down when something else still uses what the project would remove, as
 * compose v2 (2.26) takes it: a volume mounted by another project's
 * container (down -v), a network with a `docker run --network` container
 * attached (down), an image another container runs (down --rmi all).  Each
 * is left in place with the warning "Resource is still in use" on its
 * progress line, the daemon's reason on stderr, and exit status 0; the
 * other container runs on.  Every case is on both lab daemons at once,
 * each line and message naming its daemon.  The fini hook removes the
 * other containers, the other project, the project and the image tags the
 * test made, even after a failure.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab_util.h"
#include "util/sbuf.h"

static struct lab_project P, Q; /* Q: the other project */
static char foreign[96];	/* a `docker run` container on each daemon */
static char tag[128];		/* an image tag made on each daemon */

static const char *const socks[2] = {LAB_LINUX_SOCK, LAB_WINDOWS_SOCK};
static const char *const daemons[2] = {"linux", "windows"};

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	memset(&P, 0, sizeof(P));
	memset(&Q, 0, sizeof(Q));
	foreign[0] = tag[0] = '\0';
}

/* The container an image of the test is committed from. */
static const char *src_name(void)
{
	static char name[64];

	snprintf(name, sizeof(name), "downparity-src-%ld", (long)getpid());
	return name;
}

static void fini(void)
{
	for (size_t i = 0; i < 2 && tag[0]; i++)
		lab_docker(NULL, socks[i], "rm -f %s >/dev/null 2>&1",
			   src_name());
	for (size_t i = 0; i < 2 && foreign[0]; i++)
		lab_docker(NULL, socks[i], "rm -f %s >/dev/null 2>&1", foreign);
	cr_expect_eq(lab_project_fini(&Q), 0, "project %s left objects",
		     Q.name);
	cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
		     P.name);
	for (size_t i = 0; i < 2 && tag[0]; i++) {
		lab_docker(NULL, socks[i], "rmi %s >/dev/null 2>&1", tag);
		cr_expect_neq(lab_docker(NULL, socks[i],
					 "image inspect %s >/dev/null 2>&1",
					 tag),
			      0, "%s left on %s", tag, daemons[i]);
	}
}

TestSuite(integration_down, .init = setup, .fini = fini, .timeout = 240);

/*
 * A project 'p' with one sleeping service on each daemon ('l' on linux,
 * 'w' on windows) running 'image', each with 'svc_extra' (YAML lines of
 * the service), and 'tail' (top-level YAML) after the services.
 */
static void two_services(struct lab_project *p,
			 const char *tag_name,
			 const char *image,
			 const char *svc_extra,
			 const char *tail)
{
	struct sbuf y = SBUF_INIT;

	cr_assert_eq(lab_project_init(p, "downparity", tag_name), 0);
	sbuf_adds(&y, "services:\n");
	for (size_t i = 0; i < 2; i++)
		sbuf_addf(&y,
			  "  %c:\n"
			  "    image: %s\n"
			  "    platform: %s\n"
			  "    command: [sleep, '300']\n"
			  "    stop_signal: SIGKILL\n"
			  "%s",
			  daemons[i][0], image, daemons[i], svc_extra);
	sbuf_adds(&y, tail);
	cr_assert_eq(lab_project_write(p, y.buf), 0);
	sbuf_release(&y);
}

static void up(struct lab_project *p)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_mc(p, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	sbuf_release(&out);
}

/* The container 'name' still runs on daemon i. */
static void expect_running(size_t i, const char *name)
{
	char *v = lab_inspect(socks[i], name, "{{.State.Running}}");

	cr_expect(v && !strcmp(v, "true"), "%s on %s: %s", name, daemons[i],
		  v ? v : "gone");
	free(v);
}

/*
 * After the down: 'kind' ("volume", "network", "image") 'obj' is still on
 * both daemons, and so is the container that uses it, running: 'user', or
 * with 'user' NULL the other project's service container there.
 */
static void expect_kept(const char *kind, const char *obj, const char *user)
{
	char name[160];

	for (size_t i = 0; i < 2; i++) {
		cr_expect_eq(lab_docker(NULL, socks[i],
					"%s inspect %s >/dev/null", kind, obj),
			     0, "%s gone from %s", obj, daemons[i]);
		snprintf(name, sizeof(name), "%s-%c-1", Q.name, daemons[i][0]);
		expect_running(i, user ? user : name);
	}
}

/*
 * `down ARGS` of P: status 0, and for each daemon the warning line of
 * 'what' (e.g. "Volume NAME") and a stderr warning that names the daemon
 * and contains 'reason'.
 */
static void down_warns(const char *args, const char *what, const char *reason)
{
	struct sbuf out = SBUF_INIT;
	char want[256];

	cr_assert_eq(lab_mc(&P, &out, "down -t 0 --progress plain %s", args), 0,
		     "%s", out.buf);
	for (size_t i = 0; i < 2; i++) {
		snprintf(want, sizeof(want),
			 " %s (%s)  Resource is still in use", what,
			 daemons[i]);
		cr_expect(strstr(out.buf, want), "no '%s' in:\n%s", want,
			  out.buf);
		snprintf(want, sizeof(want),
			 "warning: left in place, in use: %s (%s): daemon "
			 "'%s': ",
			 what, daemons[i], daemons[i]);
		cr_expect(strstr(out.buf, want), "no '%s' in:\n%s", want,
			  out.buf);
	}
	cr_expect(strstr(out.buf, reason), "no '%s' in:\n%s", reason, out.buf);
	cr_expect_null(strstr(out.buf, "mixcompose: "), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_down, volume_used_by_another_project_stays_at_down_v)
{
	char vol[128], ext[192], what[160];

	two_services(&P, "vol", LAB_IMAGE_BUSYBOX,
		     "    volumes: ['data:/data']\n", "volumes:\n  data: {}\n");
	up(&P);
	snprintf(vol, sizeof(vol), "%s_data", P.name);
	snprintf(ext, sizeof(ext),
		 "volumes:\n  data: {external: true, name: %s}\n", vol);
	/* The other project mounts it on both daemons. */
	two_services(&Q, "volq", LAB_IMAGE_BUSYBOX,
		     "    volumes: ['data:/d']\n", ext);
	up(&Q);
	snprintf(what, sizeof(what), "Volume %s", vol);
	down_warns("-v", what, "volume is in use");
	cr_expect_eq(lab_leftovers(P.name, "container"), 0);
	cr_expect_eq(lab_leftovers(P.name, "network"), 0);
	expect_kept("volume", vol, NULL);
}

Test(integration_down, network_with_a_foreign_container_stays_at_down)
{
	char net[128], what[160];

	two_services(&P, "net", LAB_IMAGE_BUSYBOX, "", "");
	up(&P);
	snprintf(net, sizeof(net), "%s_default", P.name);
	snprintf(foreign, sizeof(foreign), "%s-foreign", P.name);
	for (size_t i = 0; i < 2; i++)
		cr_assert_eq(lab_docker(NULL, socks[i],
					"run -d --name %s --network %s %s "
					"sleep 300 >/dev/null",
					foreign, net, LAB_IMAGE_BUSYBOX),
			     0, "docker run on %s", daemons[i]);
	snprintf(what, sizeof(what), "Network %s", net);
	down_warns("", what, "container(s) still attached: ");
	cr_expect_eq(lab_leftovers(P.name, "container"), 0);
	expect_kept("network", net, foreign);
	/* Once it is free, down removes it (the fini checks). */
	for (size_t i = 0; i < 2; i++)
		lab_docker(NULL, socks[i], "rm -f %s >/dev/null", foreign);
	foreign[0] = '\0';
}

Test(integration_down, image_run_by_another_container_stays_at_down_rmi)
{
	char what[160];

	snprintf(tag, sizeof(tag), "downparity-img-%ld:1", (long)getpid());
	/*
	 * An image of its own, with this one tag: a DELETE of one tag of
	 * several only untags it (200), used or not.
	 */
	for (size_t i = 0; i < 2; i++)
		cr_assert_eq(lab_docker(NULL, socks[i],
					"create --name %s %s true >/dev/null "
					"&& docker -H unix://%s commit %s %s "
					">/dev/null",
					src_name(), LAB_IMAGE_BUSYBOX, socks[i],
					src_name(), tag),
			     0, "commit on %s", daemons[i]);
	two_services(&P, "img", tag, "", "");
	up(&P);
	snprintf(foreign, sizeof(foreign), "%s-foreign", P.name);
	for (size_t i = 0; i < 2; i++)
		cr_assert_eq(lab_docker(NULL, socks[i],
					"run -d --name %s %s sleep 300 "
					">/dev/null",
					foreign, tag),
			     0, "docker run on %s", daemons[i]);
	snprintf(what, sizeof(what), "Image %s", tag);
	down_warns("--rmi all", what, "409 Conflict: ");
	cr_expect_eq(lab_leftovers(P.name, "container"), 0);
	cr_expect_eq(lab_leftovers(P.name, "network"), 0);
	expect_kept("image", tag, foreign);
}

/*
 * A project known only by its name (no compose file) that left nothing on
 * any daemon: compose v2 warns `No resource found to remove for project`,
 * exit 0.  With a compose file (compose v2 then always has a network to
 * look for) neither says anything.
 */
Test(integration_down, nothing_left_of_a_named_project_is_said)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_project_init(&P, "downparity", "nores"), 0);
	cr_assert_eq(lab_mc(&P, &out, "down"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "warning: no resource found to remove for "
				  "project \""),
		  "%s", out.buf);
	cr_expect(strstr(out.buf, P.name), "%s", out.buf);
	cr_assert_eq(lab_project_write(&P, "services:\n"
					   "  a:\n"
					   "    image: local/busybox:lab\n"),
		     0);
	cr_assert_eq(lab_mc(&P, &out, "down"), 0, "%s", out.buf);
	cr_expect_null(strstr(out.buf, "no resource found"), "%s", out.buf);
	sbuf_release(&out);
}
