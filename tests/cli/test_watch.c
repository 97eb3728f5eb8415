/* watch: which changes a trigger takes (ignore rules) and the debounce. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "util/sbuf.h"

static const char *ignores[] = {"*.tmp", "cache/", "!cache/keep.txt"};

/* A service 'web' with one sync trigger on /p/app to /srv/app. */
static struct cli_watch_rule *one_rule(struct compose_project *p,
				       struct compose_service *s,
				       struct compose_watch *w,
				       struct compose_build *b,
				       size_t *n)
{
	struct cli_watch_rule *v = NULL;
	struct diag err = {0};

	*w = (struct compose_watch){
		.path = "/p/app",
		.action = "sync",
		.act = COMPOSE_WATCH_SYNC,
		.target = "/srv/app",
		.ignore = {ignores, 3},
	};
	*s = (struct compose_service){
		.name = "web", .watch = w, .n_watch = 1, .build = b};
	*p = (struct compose_project){.services = s, .n_services = 1};
	cr_assert_eq(cli_watch_rules_make(&v, n, p, NULL, 0, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(*n, 1);
	return v;
}

Test(cli_watch, trigger_takes_paths_below_it_with_their_target)
{
	struct compose_project p;
	struct compose_service s;
	struct compose_watch w;
	struct sbuf t = SBUF_INIT;
	size_t n;
	struct cli_watch_rule *r = one_rule(&p, &s, &w, NULL, &n);

	cr_assert(cli_watch_match(r, "/p/app/src/main.c", &t));
	cr_assert_str_eq(t.buf, "/srv/app/src/main.c");
	cr_assert(cli_watch_match(r, "/p/app", &t));
	cr_assert_str_eq(t.buf, "/srv/app");
	cr_assert_not(cli_watch_match(r, "/p/apple/x", NULL));
	cr_assert_not(cli_watch_match(r, "/p/other.c", NULL));
	sbuf_release(&t);
	cli_watch_rules_free(r, n);
}

Test(cli_watch, ignore_patterns_are_relative_to_the_trigger_path)
{
	struct compose_project p;
	struct compose_service s;
	struct compose_watch w;
	size_t n;
	struct cli_watch_rule *r = one_rule(&p, &s, &w, NULL, &n);

	cr_assert_not(cli_watch_match(r, "/p/app/x.tmp", NULL));
	cr_assert(cli_watch_match(r, "/p/app/sub/x.tmp", NULL),
		  "*.tmp matches the top level only, as in .dockerignore");
	cr_assert_not(cli_watch_match(r, "/p/app/cache/a.bin", NULL));
	cr_assert(cli_watch_match(r, "/p/app/cache/keep.txt", NULL),
		  "a '!' pattern brings a file back");
	cli_watch_rules_free(r, n);
}

Test(cli_watch, editor_temporary_files_and_git_are_ignored)
{
	struct compose_project p;
	struct compose_service s;
	struct compose_watch w;
	size_t n;
	struct cli_watch_rule *r = one_rule(&p, &s, &w, NULL, &n);

	cr_assert_not(cli_watch_match(r, "/p/app/.main.c.swp", NULL));
	cr_assert_not(cli_watch_match(r, "/p/app/main.c~", NULL));
	cr_assert_not(cli_watch_match(r, "/p/app/4913", NULL));
	cr_assert_not(cli_watch_match(r, "/p/app/.#main.c", NULL));
	cr_assert_not(cli_watch_match(r, "/p/app/#main.c#", NULL));
	cr_assert_not(cli_watch_match(r, "/p/app/.idea/workspace.xml", NULL));
	cr_assert_not(cli_watch_match(r, "/p/app/.git/index", NULL));
	cr_assert(cli_watch_match(r, "/p/app/main.swp", NULL));
	cr_assert(cli_watch_match(r, "/p/app/.gitignore", NULL));
	cli_watch_rules_free(r, n);
}

Test(cli_watch, build_context_dockerignore_applies)
{
	char dir[] = "/tmp/watch-ut-XXXXXX";
	char path[256], app[256];
	struct compose_project p;
	struct compose_service s;
	struct compose_watch w;
	struct compose_build b = {0};
	struct cli_watch_rule *r;
	size_t n;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/.dockerignore", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("# comment\nlogs\n*.log\n", f);
	fclose(f);
	b.context = dir;
	r = one_rule(&p, &s, &w, &b, &n);
	snprintf(app, sizeof(app), "%s/app", dir);
	w.path = app;
	snprintf(path, sizeof(path), "%s/app/x.c", dir);
	cr_assert(cli_watch_match(r, path, NULL));
	snprintf(path, sizeof(path), "%s/logs/today", dir);
	w.path = dir;
	cr_assert_not(cli_watch_match(r, path, NULL));
	snprintf(path, sizeof(path), "%s/x.log", dir);
	cr_assert_not(cli_watch_match(r, path, NULL));
	snprintf(path, sizeof(path), "%s/x.c", dir);
	cr_assert(cli_watch_match(r, path, NULL));
	cli_watch_rules_free(r, n);
	snprintf(path, sizeof(path), "%s/.dockerignore", dir);
	unlink(path);
	rmdir(dir);
}

Test(cli_watch, include_patterns_narrow_the_trigger)
{
	static const char *inc[] = {"*.conf"};
	struct compose_project p;
	struct compose_service s;
	struct compose_watch w;
	size_t n;
	struct cli_watch_rule *r;

	r = one_rule(&p, &s, &w, NULL, &n);
	cli_watch_rules_free(r, n);
	w.include = (struct compose_strv){inc, 1};
	cr_assert_eq(cli_watch_rules_make(&r, &n, &p, NULL, 0, NULL), 0);
	cr_assert(cli_watch_match(r, "/p/app/nginx.conf", NULL));
	cr_assert_not(cli_watch_match(r, "/p/app/index.html", NULL));
	cli_watch_rules_free(r, n);
}

Test(cli_watch, services_without_develop_or_not_selected_have_no_rules)
{
	char *sel[] = {"api"};
	struct compose_project p;
	struct compose_service s;
	struct compose_watch w;
	size_t n;
	struct cli_watch_rule *r = one_rule(&p, &s, &w, NULL, &n);

	cli_watch_rules_free(r, n);
	cr_assert_eq(cli_watch_rules_make(&r, &n, &p, sel, 1, NULL), 0);
	cr_assert_eq(n, 0);
	cli_watch_rules_free(r, n);
}

Test(cli_watch, debounce_waits_for_a_quiet_period_and_dedups)
{
	struct cli_debounce d = {0};
	char **v;
	size_t n;

	cr_assert_eq(cli_debounce_wait(&d, 1000), -1);
	cli_debounce_add(&d, "/a", 1000);
	cr_assert_eq(cli_debounce_wait(&d, 1000), CLI_WATCH_QUIET_MS);
	cli_debounce_add(&d, "/b", 1300);
	cli_debounce_add(&d, "/a", 1400);
	/* Each change starts the quiet period again (a sliding window). */
	cr_assert_eq(cli_debounce_wait(&d, 1800), 100);
	cr_assert_eq(cli_debounce_wait(&d, 1900), 0);
	cr_assert_eq(cli_debounce_wait(&d, 5000), 0);
	v = cli_debounce_take(&d, &n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(v[0], "/a");
	cr_assert_str_eq(v[1], "/b");
	cr_assert_eq(cli_debounce_wait(&d, 5000), -1);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	cli_debounce_add(&d, "/c", 6000);
	cli_debounce_release(&d);
	cr_assert_eq(d.n, 0);
}

Test(cli_watch, rel_of_a_path_under_a_root)
{
	cr_assert_str_eq(cli_watch_rel("/p/app", "/p/app/a/b"), "a/b");
	cr_assert_str_eq(cli_watch_rel("/p/app/", "/p/app/a"), "a");
	cr_assert_str_eq(cli_watch_rel("/p/app", "/p/app"), "");
	cr_assert_null(cli_watch_rel("/p/app", "/p/apps"));
}
