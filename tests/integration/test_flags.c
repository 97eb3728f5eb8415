/*
 * The compose v2 flags of issue #10's last round, against the real lab:
 * up -V/--always-recreate-deps/--attach-dependencies/--quiet-pull,
 * create --pull, restart --no-deps, wait --down-project, ps --orphans and
 * --no-trunc, pull --include-deps/--ignore-buildable, run --cap-add,
 * --cap-drop, --use-aliases, --build, and push.  Each project spans both
 * daemons ('linux' and the 'windows' stand-in).  Each test writes its
 * compose file into a temporary directory under a project name of its
 * own ("flags-..."); the fini hook takes the project down with its
 * one-offs, removes the anonymous volumes, images and registry it made,
 * and checks that nothing labelled with the project is left.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab_util.h"
#include "util/sbuf.h"
#include "util/xalloc.h"

static const char *const socks[] = {LAB_LINUX_SOCK, LAB_WINDOWS_SOCK};

static struct lab_project P;
static struct lab_registry R;
/* Anonymous volumes the test saw (dangling after -V): removed at the end. */
static char anon[8][72];
static size_t n_anon;

#define mc(out, ...) lab_mc(&P, out, __VA_ARGS__)
#define mc_out(out, ...) lab_mc_stdout(&P, out, __VA_ARGS__)

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
	unsetenv("COMPOSE_PROFILES");
	memset(&P, 0, sizeof(P));
	memset(&R, 0, sizeof(R));
	n_anon = 0;
}

static void fini(void)
{
	if (P.name[0]) {
		mc(NULL, "down -v -t 0 --remove-orphans --progress quiet");
		cr_expect_eq(lab_project_fini(&P), 0, "project %s left objects",
			     P.name);
	}
	for (size_t i = 0; i < n_anon; i++)
		for (size_t d = 0; d < 2; d++)
			lab_docker(NULL, socks[d],
				   "volume rm %s >/dev/null 2>&1", anon[i]);
	/* Built images carry the project label; pulled/pushed refs do not. */
	for (size_t d = 0; P.name[0] && d < 2; d++) {
		lab_docker(NULL, socks[d],
			   "image ls -q --filter "
			   "label=com.docker.compose.project=%s | sort -u | "
			   "xargs -r docker -H unix://%s rmi -f",
			   P.name, socks[d]);
		if (R.port)
			lab_docker(NULL, socks[d],
				   "image ls --format "
				   "'{{.Repository}}:{{.Tag}}' | grep "
				   "'^127.0.0.1:%d/' | xargs -r docker -H "
				   "unix://%s rmi >/dev/null 2>&1",
				   R.port, socks[d]);
	}
	lab_registry_stop(&R);
}

TestSuite(integration_flags, .init = setup, .fini = fini, .timeout = 300);

/* Writes compose.yaml ('yaml' is a printf format) into the project. */
static void write_yaml(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void write_yaml(const char *fmt, ...)
{
	struct sbuf y = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&y, fmt, ap);
	va_end(ap);
	cr_assert_eq(lab_project_write(&P, y.buf), 0, "%s", P.dir);
	sbuf_release(&y);
}

static void project(const char *tag)
{
	cr_assert_eq(lab_project_init(&P, "flags", tag), 0);
}

/* mixcompose ARGS must succeed; its merged output in 'out' (may be NULL). */
static void ok(struct sbuf *out, const char *args)
{
	struct sbuf mine = SBUF_INIT;
	struct sbuf *o = out ? out : &mine;
	int rc = mc(o, "%s", args);

	cr_assert_eq(rc, 0, "%s: %s", args, o->buf);
	sbuf_release(&mine);
}

/* `docker inspect -f TMPL P-SVC-1` on 'sock', trimmed (malloc'ed; ""). */
static char *inspect(const char *sock, const char *svc, const char *tmpl)
{
	char name[128];
	char *v;

	snprintf(name, sizeof(name), "%s-%s-1", P.name, svc);
	v = lab_inspect(sock, name, tmpl);
	return v ? v : xstrdup("");
}

/* The container's anonymous volume at /data (recorded for the fini). */
static char *data_volume(const char *sock, const char *svc)
{
	char *v = inspect(sock, svc,
			  "{{range .Mounts}}{{if eq .Destination \"/data\"}}"
			  "{{.Name}}{{end}}{{end}}");

	cr_assert_eq(strlen(v), 64, "anonymous volume of %s: '%s'", svc, v);
	if (n_anon < 8)
		snprintf(anon[n_anon++], sizeof(anon[0]), "%s", v);
	return v;
}

/* `exec -T SVC sh -c CMD`'s standard output. */
static void sh_in(struct sbuf *out, const char *svc, const char *cmd)
{
	sbuf_reset(out);
	cr_assert_eq(mc_out(out, "exec -T %s sh -c '%s'", svc, cmd), 0,
		     "exec %s: %s", svc, out->buf);
}

Test(integration_flags, renew_anon_volumes_against_inherited_ones)
{
	static const char *const svcs[] = {"a", "b"};
	struct sbuf out = SBUF_INIT;
	char *first[2], *v;

	project("anon");
	write_yaml("services:\n"
		   "  a:\n"
		   "    image: " LAB_IMAGE_BUSYBOX "\n"
		   "    platform: linux\n"
		   "    command: [\"sleep\", \"3600\"]\n"
		   "    stop_signal: SIGKILL\n"
		   "    volumes: [/data]\n"
		   "  b:\n"
		   "    image: " LAB_IMAGE_BUSYBOX "\n"
		   "    platform: windows\n"
		   "    command: [\"sleep\", \"3600\"]\n"
		   "    stop_signal: SIGKILL\n"
		   "    volumes: [/data]\n");
	ok(NULL, "up -d --progress quiet");
	for (size_t i = 0; i < 2; i++) {
		first[i] = data_volume(socks[i], svcs[i]);
		sh_in(&out, svcs[i], "echo kept > /data/f");
	}
	/* compose v2's default: the new container has the old data. */
	ok(NULL, "up -d --force-recreate --progress quiet");
	for (size_t i = 0; i < 2; i++) {
		v = data_volume(socks[i], svcs[i]);
		cr_expect_str_eq(v, first[i], "%s: the same volume", svcs[i]);
		free(v);
		sh_in(&out, svcs[i], "cat /data/f");
		cr_expect_str_eq(out.buf, "kept\n", "%s", svcs[i]);
	}
	/* -V: a new anonymous volume, empty. */
	ok(NULL, "up -d --force-recreate -V --progress quiet");
	for (size_t i = 0; i < 2; i++) {
		v = data_volume(socks[i], svcs[i]);
		cr_expect_str_neq(v, first[i], "%s: a new volume", svcs[i]);
		free(v);
		sh_in(&out, svcs[i], "cat /data/f 2>/dev/null || echo none");
		cr_expect_str_eq(out.buf, "none\n", "%s", svcs[i]);
		free(first[i]);
	}
	sbuf_release(&out);
}

/* db on windows; api (linux) depends on it with restart: true. */
static void db_api(const char *tag, const char *api_command)
{
	project(tag);
	write_yaml("services:\n"
		   "  db:\n"
		   "    image: " LAB_IMAGE_BUSYBOX "\n"
		   "    platform: windows\n"
		   "    command: [\"sh\", \"-c\", \"echo db-hello; exec sleep "
		   "3600\"]\n"
		   "    stop_signal: SIGKILL\n"
		   "  api:\n"
		   "    image: " LAB_IMAGE_BUSYBOX "\n"
		   "    platform: linux\n"
		   "    command: [\"sh\", \"-c\", \"%s\"]\n"
		   "    stop_signal: SIGKILL\n"
		   "    depends_on:\n"
		   "      db: {condition: service_started, restart: true}\n",
		   api_command);
}

Test(integration_flags, restart_no_deps_leaves_the_dependents)
{
	char *db0, *api0, *db1, *api1, *api2;

	db_api("restart", "exec sleep 3600");
	ok(NULL, "up -d --progress quiet");
	db0 = inspect(LAB_WINDOWS_SOCK, "db", "{{.State.StartedAt}}");
	api0 = inspect(LAB_LINUX_SOCK, "api", "{{.State.StartedAt}}");
	ok(NULL, "restart --no-deps -t 0 db");
	db1 = inspect(LAB_WINDOWS_SOCK, "db", "{{.State.StartedAt}}");
	api1 = inspect(LAB_LINUX_SOCK, "api", "{{.State.StartedAt}}");
	cr_expect_str_neq(db1, db0, "db restarted");
	cr_expect_str_eq(api1, api0, "--no-deps: api untouched");
	/* Without it, as compose v2: api (restart: true) goes along. */
	ok(NULL, "restart -t 0 db");
	api2 = inspect(LAB_LINUX_SOCK, "api", "{{.State.StartedAt}}");
	cr_expect_str_neq(api2, api1, "api restarted with db");
	free(db0);
	free(api0);
	free(db1);
	free(api1);
	free(api2);
}

Test(integration_flags, always_recreate_deps_and_attach_dependencies)
{
	struct sbuf out = SBUF_INIT;
	char *db0, *db1, *db2, *api0, *api1;

	db_api("deps", "sleep 2; echo api-done");
	ok(NULL, "up -d --progress quiet");
	db0 = inspect(LAB_WINDOWS_SOCK, "db", "{{.Id}}");
	api0 = inspect(LAB_LINUX_SOCK, "api", "{{.Id}}");
	ok(NULL, "up -d --force-recreate --progress quiet api");
	db1 = inspect(LAB_WINDOWS_SOCK, "db", "{{.Id}}");
	api1 = inspect(LAB_LINUX_SOCK, "api", "{{.Id}}");
	cr_expect_str_eq(db1, db0, "--force-recreate api keeps its dependency");
	cr_expect_str_neq(api1, api0);
	ok(NULL, "up -d --always-recreate-deps --progress quiet api");
	db2 = inspect(LAB_WINDOWS_SOCK, "db", "{{.Id}}");
	cr_expect_str_neq(db2, db1, "--always-recreate-deps recreates db");
	/* Attached: api's logs only, or db's (other daemon) too. */
	ok(&out, "up --abort-on-container-exit --progress quiet api");
	cr_expect(strstr(out.buf, "api-done"), "%s", out.buf);
	cr_expect_not(strstr(out.buf, "db-hello"), "%s", out.buf);
	ok(&out, "up --attach-dependencies --abort-on-container-exit "
		 "--force-recreate --progress quiet api");
	cr_expect(strstr(out.buf, "api-done"), "%s", out.buf);
	cr_expect(strstr(out.buf, "db-hello"), "%s", out.buf);
	free(db0);
	free(db1);
	free(db2);
	free(api0);
	free(api1);
	sbuf_release(&out);
}

Test(integration_flags, wait_down_project_takes_everything_down)
{
	struct sbuf out = SBUF_INIT;
	int rc;

	project("wait");
	write_yaml("services:\n"
		   "  t:\n"
		   "    image: " LAB_IMAGE_BUSYBOX "\n"
		   "    platform: windows\n"
		   "    command: [\"sh\", \"-c\", \"sleep 8; exit 3\"]\n"
		   "  s:\n"
		   "    image: " LAB_IMAGE_BUSYBOX "\n"
		   "    platform: linux\n"
		   "    command: [\"sleep\", \"3600\"]\n"
		   "    stop_signal: SIGKILL\n");
	ok(NULL, "up -d --progress quiet");
	cr_assert_gt(lab_leftovers(P.name, "container"), 1);
	rc = mc(&out, "wait --down-project t");
	cr_expect_eq(rc, 3, "t's exit code: %s", out.buf);
	cr_expect(strstr(out.buf, "exited with status code 3"), "%s", out.buf);
	cr_expect_eq(lab_leftovers(P.name, "container"), 0, "%s", out.buf);
	cr_expect_eq(lab_leftovers(P.name, "network"), 0, "%s", out.buf);
	sbuf_release(&out);
}

/* The object of container 'name' in ps --format json (up to "Address"). */
static char *ps_object(const char *json, const char *svc)
{
	char key[160];
	const char *at, *start, *end;

	snprintf(key, sizeof(key), "\"Name\":\"%s-%s-1\"", P.name, svc);
	at = strstr(json, key);
	if (!at)
		return NULL;
	for (start = at; start > json && *start != '{'; start--)
		;
	end = strstr(at, "\"Address\":");
	end = end ? strchr(end + 10, '}') : NULL;
	return end ? strndup(start, (size_t)(end - start + 1)) : NULL;
}

Test(integration_flags, ps_orphans_and_no_trunc)
{
	static const char *const head =
		"services:\n"
		"  a:\n"
		"    image: " LAB_IMAGE_BUSYBOX "\n"
		"    platform: linux\n"
		"    command: [\"sh\", \"-c\", \"exec sleep 3601\"]\n"
		"    stop_signal: SIGKILL\n";
	struct sbuf out = SBUF_INIT;
	char *o, *id;

	project("ps");
	write_yaml("%s  gone:\n"
		   "    image: " LAB_IMAGE_BUSYBOX "\n"
		   "    platform: windows\n"
		   "    command: [\"sleep\", \"3600\"]\n"
		   "    stop_signal: SIGKILL\n",
		   head);
	ok(NULL, "up -d --progress quiet");
	write_yaml("%s", head); /* 'gone' is an orphan now */
	cr_assert_eq(mc_out(&out, "ps --services"), 0, "%s", out.buf);
	cr_expect_str_eq(out.buf, "a\ngone\n", "orphans by default");
	sbuf_reset(&out);
	cr_assert_eq(mc_out(&out, "ps --orphans=false --services"), 0);
	cr_expect_str_eq(out.buf, "a\n");
	sbuf_reset(&out);
	cr_assert_eq(mc_out(&out, "ps --format json"), 0);
	id = inspect(LAB_LINUX_SOCK, "a", "{{.Id}}");
	o = ps_object(out.buf, "a");
	cr_assert_not_null(o, "%s", out.buf);
	/* As compose v2's {{json .}}: a 12-digit ID, the command cut. */
	cr_expect(strstr(o, "\"ID\":\"") && !strstr(o, id) &&
			  strncmp(strstr(o, "\"ID\":\"") + 6, id, 12) == 0,
		  "%s", o);
	/* The daemon joins (and may quote) the argv; 19 characters, "…". */
	cr_expect(strstr(o, "\"Command\":\"\\\"sh -c ") &&
			  strstr(o, "\xe2\x80\xa6\\\"\"") && !strstr(o, "3601"),
		  "%s", o);
	free(o);
	sbuf_reset(&out);
	cr_assert_eq(mc_out(&out, "ps --no-trunc --format json"), 0);
	o = ps_object(out.buf, "a");
	cr_assert_not_null(o, "%s", out.buf);
	cr_expect(strstr(o, id), "--no-trunc: the whole id %s: %s", id, o);
	cr_expect(strstr(o, "exec sleep 3601"), "%s", o);
	free(o);
	sbuf_reset(&out);
	cr_assert_eq(mc_out(&out, "ps --no-trunc"), 0);
	cr_expect(strstr(out.buf, "COMMAND") && strstr(out.buf, "\"sh -c ") &&
			  strstr(out.buf, "exec sleep 3601"),
		  "%s", out.buf);
	free(id);
	sbuf_release(&out);
}

/* Bit 'cap' of CapEff in /proc/self/status of a one-off of 'svc'. */
static bool cap_bit(const char *svc, const char *flags, int cap)
{
	struct sbuf out = SBUF_INIT;
	unsigned long long eff;
	const char *at;

	cr_assert_eq(mc_out(&out,
			    "run --rm -T %s %s grep CapEff "
			    "/proc/self/status",
			    flags, svc),
		     0, "%s", out.buf);
	at = strstr(out.buf, "CapEff:");
	cr_assert_not_null(at, "%s", out.buf);
	eff = strtoull(at + 7, NULL, 16);
	sbuf_release(&out);
	return (eff >> cap) & 1;
}

Test(integration_flags, run_cap_add_cap_drop_and_use_aliases)
{
	static const char *const svcs[] = {"l", "w"};
	static const char *const plats[] = {"linux", "windows"};
	struct sbuf out = SBUF_INIT;

	project("run");
	write_yaml("services:\n"
		   "  l:\n"
		   "    image: " LAB_IMAGE_BUSYBOX "\n"
		   "    platform: linux\n"
		   "    networks: {default: {aliases: [ell]}}\n"
		   "  w:\n"
		   "    image: " LAB_IMAGE_BUSYBOX "\n"
		   "    platform: windows\n"
		   "    networks: {default: {aliases: [dubya]}}\n");
	for (size_t i = 0; i < 2; i++) {
		/* NET_ADMIN is 12, CHOWN 0 (linux/capability.h). */
		cr_expect_not(cap_bit(svcs[i], "", 12), "%s", plats[i]);
		cr_expect(cap_bit(svcs[i], "--cap-add NET_ADMIN", 12), "%s",
			  plats[i]);
		cr_expect(cap_bit(svcs[i], "", 0), "%s", plats[i]);
		cr_expect_not(cap_bit(svcs[i], "--cap-drop CHOWN", 0), "%s",
			      plats[i]);
	}
	ok(&out, "run -d --name flags-al-l-$$ --use-aliases l sleep 60");
	ok(&out, "run -d --name flags-al-w-$$ w sleep 60");
	sbuf_reset(&out);
	cr_assert_eq(
		lab_docker(&out, LAB_LINUX_SOCK,
			   "ps -q --filter label=com.docker.compose."
			   "project=%s --filter label=com.docker.compose."
			   "oneoff=True | xargs docker -H unix://%s "
			   "inspect -f '{{json .NetworkSettings.Networks}}'",
			   P.name, LAB_LINUX_SOCK),
		0, "%s", out.buf);
	cr_expect(strstr(out.buf, "\"ell\"") && strstr(out.buf, "\"l\""),
		  "--use-aliases: %s", out.buf);
	sbuf_reset(&out);
	cr_assert_eq(
		lab_docker(&out, LAB_WINDOWS_SOCK,
			   "ps -q --filter label=com.docker.compose."
			   "project=%s --filter label=com.docker.compose."
			   "oneoff=True | xargs docker -H unix://%s "
			   "inspect -f '{{json .NetworkSettings.Networks}}'",
			   P.name, LAB_WINDOWS_SOCK),
		0, "%s", out.buf);
	cr_expect_not(strstr(out.buf, "\"dubya\""), "no alias: %s", out.buf);
	sbuf_release(&out);
}

/* Pushes lab busybox from 'sock' to the registry as REPO:1. */
static void seed(const char *sock, const char *repo)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(
		lab_docker(&out, sock,
			   "tag " LAB_IMAGE_BUSYBOX
			   " 127.0.0.1:%d/%s:1 && docker -H unix://%s push "
			   "127.0.0.1:%d/%s:1 && docker -H unix://%s rmi "
			   "127.0.0.1:%d/%s:1",
			   R.port, repo, sock, R.port, repo, sock, R.port,
			   repo),
		0, "%s", out.buf);
	sbuf_release(&out);
}

static bool has_ref(const char *sock, const char *repo)
{
	return lab_docker(NULL, sock,
			  "image inspect 127.0.0.1:%d/%s:1 >/dev/null 2>&1",
			  R.port, repo) == 0;
}

Test(integration_flags, pull_include_deps_ignore_buildable_quiet_pull)
{
	struct sbuf out = SBUF_INIT;
	char repo[3][160];

	cr_assert_eq(lab_registry_start(&R), 0, "docker-registry");
	project("pull");
	for (int i = 0; i < 3; i++) {
		snprintf(repo[i], sizeof(repo[i]), "%s/r%d", P.name, i);
		seed(i ? LAB_WINDOWS_SOCK : LAB_LINUX_SOCK, repo[i]);
	}
	cr_assert_eq(lab_sh(NULL, "printf 'FROM %s\\n' > '%s/Dockerfile'",
			    LAB_IMAGE_BUSYBOX, P.dir),
		     0);
	/* app (linux) -> dep (windows); bld (linux) has a build section. */
	write_yaml("services:\n"
		   "  app:\n"
		   "    image: 127.0.0.1:%d/%s:1\n"
		   "    platform: linux\n"
		   "    command: [\"sleep\", \"3600\"]\n"
		   "    stop_signal: SIGKILL\n"
		   "    depends_on: [dep]\n"
		   "  dep:\n"
		   "    image: 127.0.0.1:%d/%s:1\n"
		   "    platform: windows\n"
		   "    command: [\"sleep\", \"3600\"]\n"
		   "    stop_signal: SIGKILL\n"
		   "  bld:\n"
		   "    image: 127.0.0.1:%d/%s:1\n"
		   "    platform: linux\n"
		   "    build: .\n",
		   R.port, repo[0], R.port, repo[1], R.port, repo[2]);
	ok(NULL, "pull app");
	cr_expect(has_ref(LAB_LINUX_SOCK, repo[0]));
	cr_expect_not(has_ref(LAB_WINDOWS_SOCK, repo[1]), "no --include-deps");
	ok(NULL, "pull --include-deps app");
	cr_expect(has_ref(LAB_WINDOWS_SOCK, repo[1]), "--include-deps");
	ok(NULL, "pull --ignore-buildable");
	cr_expect_not(has_ref(LAB_LINUX_SOCK, repo[2]), "--ignore-buildable");
	ok(NULL, "pull bld");
	cr_expect(has_ref(LAB_LINUX_SOCK, repo[2]));
	/* up --quiet-pull: the pulls draw no line; without, they do. */
	ok(&out, "up -d --no-deps --pull always --quiet-pull --progress plain "
		 "app");
	cr_expect_not(strstr(out.buf, "Pulled"), "%s", out.buf);
	cr_expect(strstr(out.buf, "Started"), "%s", out.buf);
	ok(&out, "up -d --no-deps --pull always --progress plain app");
	cr_expect(strstr(out.buf, "Pulled"), "%s", out.buf);
	/* create --pull: never refuses the missing image, always pulls it. */
	lab_docker(NULL, LAB_WINDOWS_SOCK, "rmi 127.0.0.1:%d/%s:1", R.port,
		   repo[1]);
	cr_expect_eq(mc(&out, "create --pull never --progress plain dep"), 1,
		     "%s", out.buf);
	ok(&out, "create --pull always --progress plain dep");
	cr_expect(has_ref(LAB_WINDOWS_SOCK, repo[1]), "%s", out.buf);
	sbuf_release(&out);
}

/* GET /v2/_catalog of the test's registry. */
static void catalog(struct sbuf *out)
{
	struct lab_http h = {0};

	cr_assert_eq(lab_http_tcp(&h, "127.0.0.1", R.port, "GET",
				  "/v2/_catalog", NULL),
		     0);
	cr_assert_eq(h.status, 200);
	sbuf_reset(out);
	sbuf_adds(out, h.body.buf ? h.body.buf : "");
	lab_http_release(&h);
}

Test(integration_flags, push_from_each_daemon_lands_in_the_registry)
{
	struct sbuf out = SBUF_INIT;
	char want[160];
	int dead = lab_free_port();

	cr_assert_eq(lab_registry_start(&R), 0, "docker-registry");
	project("push");
	cr_assert_eq(lab_sh(NULL, "printf 'FROM %s\\n' > '%s/Dockerfile'",
			    LAB_IMAGE_BUSYBOX, P.dir),
		     0);
	write_yaml(
		"services:\n"
		"  l:\n"
		"    image: 127.0.0.1:%d/%s/l:1\n"
		"    platform: linux\n"
		"    build: {context: ., tags: [\"127.0.0.1:%d/%s/l:extra\"]}\n"
		"  w:\n"
		"    image: 127.0.0.1:%d/%s/w:1\n"
		"    platform: windows\n"
		"    build: .\n"
		"  pulled:\n"
		"    image: " LAB_IMAGE_BUSYBOX "\n"
		"    platform: linux\n"
		"  broken:\n"
		"    image: 127.0.0.1:%d/%s/broken:1\n"
		"    platform: linux\n"
		"    build: .\n",
		R.port, P.name, R.port, P.name, R.port, P.name, dead, P.name);
	ok(NULL, "build");
	ok(&out, "push l w pulled");
	cr_expect(strstr(out.buf, "pulled (linux)  Skipped"), "%s", out.buf);
	cr_expect(strstr(out.buf, "Pushed"), "%s", out.buf);
	/* A build tag goes after its image: they share the layers. */
	{
		const char *img = strstr(out.buf, "/l:1  Pushed");
		const char *tag = strstr(out.buf, "/l:extra  Pushing");

		cr_expect(img && tag && img < tag, "%s", out.buf);
	}
	catalog(&out);
	snprintf(want, sizeof(want), "\"%s/l\"", P.name);
	cr_expect(strstr(out.buf, want), "%s", out.buf);
	snprintf(want, sizeof(want), "\"%s/w\"", P.name);
	cr_expect(strstr(out.buf, want), "from the windows daemon: %s",
		  out.buf);
	/* build.tags go too. */
	sbuf_reset(&out);
	{
		struct lab_http h = {0};
		char path[200];

		snprintf(path, sizeof(path), "/v2/%s/l/tags/list", P.name);
		cr_assert_eq(lab_http_tcp(&h, "127.0.0.1", R.port, "GET", path,
					  NULL),
			     0);
		cr_expect(h.body.buf && strstr(h.body.buf, "\"extra\"") &&
				  strstr(h.body.buf, "\"1\""),
			  "%s", h.body.buf ? h.body.buf : "");
		lab_http_release(&h);
	}
	/* A registry that is not there: a failure, unless ignored. */
	cr_expect_eq(mc(&out, "push broken"), 1, "%s", out.buf);
	cr_expect_eq(mc(&out, "push --ignore-push-failures broken"), 0, "%s",
		     out.buf);
	cr_expect(strstr(out.buf, "warning: "), "%s", out.buf);
	sbuf_release(&out);
}

Test(integration_flags, run_build_rebuilds_the_image)
{
	struct sbuf out = SBUF_INIT;

	project("runb");
	cr_assert_eq(lab_sh(NULL,
			    "printf 'FROM %s\\nRUN echo one > /v\\n' > "
			    "'%s/Dockerfile'",
			    LAB_IMAGE_BUSYBOX, P.dir),
		     0);
	write_yaml("services:\n"
		   "  b:\n"
		   "    platform: windows\n"
		   "    build: .\n");
	cr_assert_eq(mc_out(&out, "run --rm -T b cat /v"), 0, "%s", out.buf);
	cr_expect_str_eq(out.buf, "one\n");
	cr_assert_eq(lab_sh(NULL,
			    "printf 'FROM %s\\nRUN echo two > /v\\n' > "
			    "'%s/Dockerfile'",
			    LAB_IMAGE_BUSYBOX, P.dir),
		     0);
	/* Without --build the image is there: not built again. */
	sbuf_reset(&out);
	cr_assert_eq(mc_out(&out, "run --rm -T b cat /v"), 0, "%s", out.buf);
	cr_expect_str_eq(out.buf, "one\n");
	sbuf_reset(&out);
	cr_assert_eq(mc_out(&out, "run --rm -T --build b cat /v"), 0, "%s",
		     out.buf);
	cr_expect_str_eq(out.buf, "two\n");
	sbuf_release(&out);
}
