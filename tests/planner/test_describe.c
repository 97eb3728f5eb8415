#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/planner/model_util.h"
#include "util/arena.h"

#define FIXTURE(p) (TEST_FIXTURES_DIR "/" p)

static struct plan_host hosts[2];

static void setup(void)
{
	hosts[0] = mu_host("linux", "linux", "amd64");
	hosts[1] = mu_host("windows", "windows", "amd64");
	hosts[1].api_minor = 44;
}

TestSuite(planner_describe, .init = setup);

/* The sample's shape: nginx (linux) -> app (windows) -> db (linux). */
static struct plan *sample(struct compose_project **pp)
{
	struct compose_project *p = mu_project("shop");
	struct compose_service *app = mu_service(p, "app");
	struct compose_service *nginx = mu_service(p, "nginx");
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_platform(p, app, "windows/amd64");
	mu_attach(p, app, "default", NULL, "backend");
	mu_platform(p, mu_service(p, "db"), "linux");
	mu_depends(p, nginx, "app", "service_started", 20);
	mu_depends(p, app, "db", "service_healthy", 21);
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, NULL, &err), 0, "%s",
		     err.msg);
	*pp = p;
	return pl;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* MIXCOMPOSE_UPDATE_GOLDEN=1 rewrites the golden file instead. */
static void golden(const char *path, const char *got)
{
	char *want;

	if (getenv("MIXCOMPOSE_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "w");

		cr_assert_not_null(f);
		fputs(got, f);
		fclose(f);
	}
	want = slurp(path);
	cr_assert_not_null(want, "missing %s", path);
	cr_assert_str_eq(got, want);
	free(want);
}

Test(planner_describe, golden_mixed_project)
{
	struct compose_project *p;
	struct plan *pl = sample(&p);
	struct sbuf sb = SBUF_INIT;

	plan_describe(&sb, pl, false);
	golden(FIXTURE("planner/describe_mixed.txt"), sb.buf);
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
}

Test(planner_describe, explains_standin_and_mechanisms)
{
	struct compose_project *p;
	struct plan *pl;
	struct sbuf sb = SBUF_INIT;

	hosts[1].lab = true;
	hosts[1].engine_os = "linux";
	pl = sample(&p);
	plan_describe(&sb, pl, false);
	cr_assert(
		strstr(sb.buf, "stand-in for windows (the engine runs linux)"));
	cr_assert(strstr(sb.buf, "on windows    ExtraHosts at create"));
	cr_assert(strstr(sb.buf, "after db service_healthy (cross-daemon)"));
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
}

Test(planner_describe, color_only_when_asked)
{
	struct compose_project *p;
	struct plan *pl = sample(&p);
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;

	plan_describe(&a, pl, false);
	plan_describe(&b, pl, true);
	cr_assert_null(strchr(a.buf, '\033'));
	cr_assert(strstr(b.buf, "\033[32mcreate"));
	sbuf_release(&a);
	sbuf_release(&b);
	plan_free(pl);
	mu_free(p);
}

Test(planner_describe, recreate_reason_shows_hash_prefixes)
{
	struct compose_project *p;
	struct plan *pl = sample(&p), *again;
	struct arena *a = arena_new();
	struct plan_host_container *x;
	struct sbuf sb = SBUF_INIT;
	char want[128];

	x = mu_host_ctr(a, &hosts[0], "shop-db-1", "db", 1, "deadbeefcafe0000",
			"running");
	(void)x;
	cr_assert_eq(plan_build(&again, p, hosts, 2, NULL, &(struct diag){0}),
		     0);
	plan_describe(&sb, again, false);
	snprintf(want, sizeof(want),
		 "recreate  shop-db-1              on linux      config hash "
		 "changed: deadbeef -> %.8s",
		 mu_ctr(again, "shop-db-1")->config_hash);
	cr_assert(strstr(sb.buf, want), "%s", sb.buf);
	sbuf_release(&sb);
	plan_free(again);
	plan_free(pl);
	arena_free(a);
	mu_free(p);
}

Test(planner_describe, json_is_valid_and_complete)
{
	struct compose_project *p;
	struct plan *pl = sample(&p);
	struct sbuf sb = SBUF_INIT;
	cJSON *root, *c, *h;

	plan_to_json(&sb, pl);
	root = cJSON_Parse(sb.buf);
	cr_assert_not_null(root, "%s", sb.buf);
	cr_assert_str_eq(cJSON_GetObjectItem(root, "project")->valuestring,
			 "shop");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "daemons")),
		     2);
	cr_assert_str_eq(
		cJSON_GetObjectItem(
			cJSON_GetArrayItem(cJSON_GetObjectItem(root, "daemons"),
					   1),
			"hosts_mechanism")
			->valuestring,
		"exec");
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "containers"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(c, "name")->valuestring,
			 "shop-app-1");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "labels"),
					     "io.mixcompose.daemon")
				 ->valuestring,
			 "windows");
	h = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "hosts"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(
				 cJSON_GetObjectItem(h, "addresses"), "linux")
				 ->valuestring,
			 "172.30.1.2");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "order")), 3);
	cr_assert(cJSON_IsArray(cJSON_GetObjectItem(root, "orphans")));
	cJSON_Delete(root);
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
}

Test(planner_describe, json_is_deterministic)
{
	struct compose_project *p;
	struct plan *a = sample(&p), *b;
	struct sbuf x = SBUF_INIT, y = SBUF_INIT;

	cr_assert_eq(plan_build(&b, p, hosts, 2, NULL, &(struct diag){0}), 0);
	plan_to_json(&x, a);
	plan_to_json(&y, b);
	cr_assert_str_eq(x.buf, y.buf);
	sbuf_release(&x);
	sbuf_release(&y);
	plan_free(a);
	plan_free(b);
	mu_free(p);
}

Test(planner_describe, mermaid_groups_by_daemon_and_marks_cross_edges)
{
	struct compose_project *p;
	struct plan *pl;
	struct sbuf sb = SBUF_INIT;

	hosts[1].lab = true;
	pl = sample(&p);
	plan_graph_mermaid(&sb, pl);
	cr_assert_str_eq(sb.buf,
			 "flowchart LR\n"
			 "  subgraph d0[\"linux (linux)\"]\n"
			 "    s1[\"db\"]\n"
			 "    s2[\"nginx\"]\n"
			 "  end\n"
			 "  subgraph d1[\"windows (stand-in)\"]\n"
			 "    s0[\"app\"]\n"
			 "  end\n"
			 "  s0 ==>|\"service_healthy, cross-daemon\"| s1\n"
			 "  s2 ==>|\"service_started, cross-daemon\"| s0\n");
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
}

Test(planner_describe, mermaid_same_daemon_edge_is_plain)
{
	struct compose_project *p = mu_project("x");
	struct compose_service *a = mu_service(p, "a");
	struct plan *pl = NULL;
	struct sbuf sb = SBUF_INIT;

	mu_service(p, "b");
	mu_link(p, a, "b");
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 1, NULL, &(struct diag){0}), 0);
	plan_graph_mermaid(&sb, pl);
	cr_assert(strstr(sb.buf, "  s0 -->|\"service_started, links\"| s1\n"),
		  "%s", sb.buf);
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
}

static int run_dot(const char *text)
{
	char path[] = "/tmp/mixcompose-dot-XXXXXX";
	int fd = mkstemp(path), st;
	pid_t pid;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	pid = fork();
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execl("/usr/bin/dot", "dot", "-Tsvg", path, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(planner_describe, dot_is_valid_graphviz)
{
	struct compose_project *p;
	struct plan *pl;
	struct sbuf sb = SBUF_INIT;

	hosts[1].lab = true;
	pl = sample(&p);
	plan_graph_dot(&sb, pl);
	cr_assert(strstr(sb.buf, "subgraph cluster_d1 {\n    label=\"windows "
				 "(stand-in)\";\n    s0 [label=\"app\"];\n"));
	cr_assert(strstr(sb.buf, "s2 -> s0 [label=\"service_started, "
				 "cross-daemon\", style=\"dashed,bold\", "
				 "penwidth=2];"));
	if (access("/usr/bin/dot", X_OK))
		cr_skip_test("graphviz is not installed");
	cr_assert_eq(run_dot(sb.buf), 0, "%s", sb.buf);
	cr_assert_neq(run_dot("digraph { a -> }"), 0, "dot must refuse junk");
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
}

Test(planner_describe, hosts_describe_has_one_column_per_daemon)
{
	struct compose_project *p;
	struct plan *pl = sample(&p);
	struct sbuf sb = SBUF_INIT;

	plan_hosts_describe(&sb, pl);
	cr_assert(strstr(sb.buf, "FROM linux"));
	cr_assert(strstr(sb.buf, "FROM windows"));
	cr_assert(strstr(sb.buf, "exec after start"));
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
}
