/* One compose file of several YAML documents (compose/load_file.c). */
#include "compose/load_int.h"
#include "load_helpers.h"
#include "util/arena.h"

static struct lt t;

static void setup(void)
{
	lt_init(&t);
}

static void teardown(void)
{
	lt_done(&t);
}

TestSuite(compose_load_file, .init = setup, .fini = teardown);

static const char *env_of(const struct compose_service *s, const char *k)
{
	const struct compose_kv *kv =
		lt_kv(s->environment, s->n_environment, k);

	cr_assert_not_null(kv, "no environment %s", k);
	return kv->value;
}

/* Loads one fixture of tests/fixtures/compose/multidoc with -f. */
static int load_multidoc(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", FIXTURE("compose/multidoc"),
		 name);
	lt_file(&t, path);
	return lt_load(&t);
}

static void expect_err(int code, int line, int col, const char *needle)
{
	cr_assert_eq(t.rc, code, "rc %d: %s", t.rc, t.err.msg);
	cr_assert(strstr(t.err.msg, needle), "%s", t.err.msg);
	cr_assert_eq(t.err.loc.line, line, "line %d: %s", t.err.loc.line,
		     t.err.msg);
	cr_assert_eq(t.err.loc.col, col, "col %d: %s", t.err.loc.col,
		     t.err.msg);
}

Test(compose_load_file, documents_merge_in_order_like_f_files)
{
	const struct compose_service *web;

	cr_assert_eq(load_multidoc("compose.yaml"), 0, "%s", t.err.msg);
	cr_assert_eq(t.dl.errors, 0);
	web = lt_svc(&t, "web");
	cr_assert_str_eq(web->image, "nginx:2");
	cr_assert_str_eq(env_of(web, "A"), "1");
	cr_assert_str_eq(env_of(web, "B"), "2");
	cr_assert_eq(web->n_ports, 1);
	cr_assert_eq(t.p->config_files.n, 1);
}

Test(compose_load_file, each_document_keeps_its_own_locations)
{
	const struct compose_node *svcs;
	const struct compose_pair *api = NULL, *web = NULL;

	cr_assert_eq(load_multidoc("compose.yaml"), 0, "%s", t.err.msg);
	svcs = compose_map_get(t.p->doc, "services");
	for (size_t i = 0; i < svcs->n; i++) {
		if (!strcmp(svcs->pairs[i].key->str, "api"))
			api = &svcs->pairs[i];
		if (!strcmp(svcs->pairs[i].key->str, "web"))
			web = &svcs->pairs[i];
	}
	cr_assert_not_null(api);
	cr_assert_not_null(web);
	/* 'api' is only in the third document (after an empty one). */
	cr_assert_eq(api->key->line, 16);
	cr_assert_eq(api->key->col, 3);
	/* web's image comes from the third document, its ports the first. */
	cr_assert_eq(compose_map_get(web->value, "image")->line, 13);
	cr_assert_eq(compose_map_get(web->value, "ports")->line, 7);
}

Test(compose_load_file, extends_from_a_file_of_several_documents)
{
	const struct compose_service *api;

	cr_assert_eq(load_multidoc("compose.yaml"), 0, "%s", t.err.msg);
	api = lt_svc(&t, "api");
	cr_assert_str_eq(api->image, "busybox");
	cr_assert_str_eq(api->user, "nobody");
}

Test(compose_load_file, reset_and_override_in_a_later_document)
{
	const struct compose_service *a;

	cr_assert_eq(load_multidoc("reset.yaml"), 0, "%s", t.err.msg);
	a = lt_svc(&t, "a");
	cr_assert_null(a->user);
	cr_assert_eq(a->n_ports, 1);
	cr_assert_eq(a->ports[0].target, 81);
}

Test(compose_load_file, trailing_separator_is_an_empty_document)
{
	lt_ok(&t, "services:\n  a:\n    image: nginx\n---\n");
	cr_assert_str_eq(lt_svc(&t, "a")->image, "nginx");
}

Test(compose_load_file, interpolation_runs_in_every_document)
{
	lt_env(&t, "TAG=7");
	lt_ok(&t, "services:\n  a:\n    image: x:${TAG}\n---\n"
		  "services:\n  b:\n    image: y:${TAG}\n");
	cr_assert_str_eq(lt_svc(&t, "a")->image, "x:7");
	cr_assert_str_eq(lt_svc(&t, "b")->image, "y:7");
}

Test(compose_load_file, interpolation_error_in_document_two_is_located)
{
	lt_write(&t, "compose.yaml",
		 "services:\n  a:\n    image: x\n---\nservices:\n  b:\n"
		 "    image: ${NOPE:?set it}\n");
	cr_assert_eq(lt_load(&t), DIAG_EINTERP, "%s", t.err.msg);
	cr_assert_eq(t.err.loc.line, 7);
	cr_assert_eq(t.err.loc.col, 12);
}

Test(compose_load_file, duplicate_key_in_document_two_is_located)
{
	load_multidoc("dup_key.yaml");
	expect_err(DIAG_ESYNTAX, 8, 5, "duplicate key 'image'");
}

Test(compose_load_file, syntax_error_in_document_two_is_located)
{
	load_multidoc("syntax.yaml");
	expect_err(DIAG_ESYNTAX, 7, 1, "did not find expected node");
}

Test(compose_load_file, document_that_is_not_a_mapping_is_an_error)
{
	load_multidoc("not_map.yaml");
	expect_err(DIAG_ESCHEMA, 5, 1, "top-level object must be a mapping");
}

Test(compose_load_file, anchors_do_not_cross_documents)
{
	/* YAML scopes anchors to their document; go-yaml does too. */
	load_multidoc("anchor.yaml");
	expect_err(DIAG_ESYNTAX, 7, 6, "unknown anchor 'base'");
}

Test(compose_load_file, only_empty_documents_is_an_empty_file)
{
	load_multidoc("all_empty.yaml");
	cr_assert_eq(t.rc, DIAG_ESCHEMA);
	cr_assert(strstr(t.err.msg, "empty compose file"), "%s", t.err.msg);
}

Test(compose_load_file, include_in_a_later_document)
{
	lt_write(&t, "inc/compose.yaml", "services:\n  lib:\n    image: lib\n");
	lt_ok(&t, "services:\n  a:\n    image: x\n---\n"
		  "include:\n  - inc/compose.yaml\n"
		  "services:\n  b:\n    image: y\n");
	cr_assert_str_eq(lt_svc(&t, "lib")->image, "lib");
	cr_assert_str_eq(lt_svc(&t, "a")->image, "x");
	cr_assert_str_eq(lt_svc(&t, "b")->image, "y");
}

/* An alias bomb split over two documents still meets one node budget. */
static char *two_half_bombs(void)
{
	static const char doc[] =
		"x-a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		"x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"x-f: [*e, *e, *e, *e, *e, *e]\n"
		"services:\n  a:\n    image: x\n";
	struct sbuf sb = SBUF_INIT;

	sbuf_adds(&sb, doc);
	sbuf_adds(&sb, "---\n");
	sbuf_adds(&sb, doc);
	return sbuf_detach(&sb, NULL);
}

Test(compose_load_file, documents_share_one_node_budget)
{
	char *text = two_half_bombs();
	struct compose_node *one = NULL;
	struct arena *a = arena_new();
	struct diag err = {0};

	/* Each half alone is within the budget... */
	cr_assert_eq(compose_yaml_parse(&one, a, "b.yaml", text,
					(size_t)(strstr(text, "---\n") - text),
					NULL, &err),
		     0, "%s", err.msg);
	arena_free(a);
	/* ...but not the two together. */
	lt_write(&t, "compose.yaml", text);
	free(text);
	cr_assert_eq(lt_load(&t), DIAG_ELIMIT, "%s", t.err.msg);
	cr_assert_eq(t.err.loc.line, 16, "%d: %s", t.err.loc.line, t.err.msg);
	cr_assert_eq(t.err.loc.col, 7, "col %d", t.err.loc.col);
	cr_assert(strstr(t.err.msg, "1000000 nodes"), "%s", t.err.msg);
}

/* ---- compose_yaml_parse_docs ------------------------------------------ */

Test(compose_load_file, parse_docs_builds_every_document_in_one_pass)
{
	static const char text[] = "a: 1\n---\nb: 2\n---\n---\nc: 3\n";
	struct arena *a = arena_new();
	struct compose_node **docs = NULL;
	struct diag err = {0};
	size_t n = 0;

	cr_assert_eq(compose_yaml_parse_docs(&docs, &n, a, "m.yaml", text,
					     strlen(text), NULL, &err),
		     0, "%s", err.msg);
	cr_assert_eq(n, 4);
	cr_assert_not_null(compose_map_get(docs[0], "a"));
	cr_assert_not_null(compose_map_get(docs[1], "b"));
	cr_assert_eq(docs[1]->pairs[0].key->line, 3);
	cr_assert_null(docs[2], "an empty document gives NULL");
	cr_assert_eq(compose_map_get(docs[3], "c")->line, 6);
	arena_free(a);
}

Test(compose_load_file, parse_docs_anchors_stay_in_their_document)
{
	static const char text[] = "a: &x 1\nb: *x\n---\nc: *x\n";
	struct arena *a = arena_new();
	struct compose_node **docs = NULL;
	struct diag err = {0};
	size_t n = 0;

	cr_assert_eq(compose_yaml_parse_docs(&docs, &n, a, "m.yaml", text,
					     strlen(text), NULL, &err),
		     DIAG_ESYNTAX);
	cr_assert_eq(err.loc.line, 4);
	cr_assert_eq(err.loc.col, 4);
	arena_free(a);
}

Test(compose_load_file, many_documents_parse_in_linear_time, .timeout = 20)
{
	struct arena *a = arena_new();
	struct compose_node **docs = NULL;
	struct sbuf sb = SBUF_INIT;
	struct diag err = {0};
	size_t n = 0;

	/*
	 * 100,000 documents: building each one by re-reading the stream up
	 * to it would take billions of events.  The node budget still
	 * counts them all.
	 */
	for (int i = 0; i < 100000; i++)
		sbuf_addf(&sb, "---\nk%d: v\n", i);
	cr_assert_eq(compose_yaml_parse_docs(&docs, &n, a, "m.yaml", sb.buf,
					     sb.len, NULL, &err),
		     0, "%s", err.msg);
	cr_assert_eq(n, 100000);
	cr_assert_eq(docs[99999]->pairs[0].key->line, 200000);
	sbuf_release(&sb);
	arena_free(a);
}

/* ---- Issue 13 item 9: bad input with a position ------------------------ */

Test(compose_load_file, include_cycle_names_the_files)
{
	lt_write(&t, "compose.yaml",
		 "include:\n  - a.yaml\nservices:\n  x:\n    image: i\n");
	lt_write(&t, "a.yaml",
		 "include:\n  - b.yaml\nservices:\n"
		 "  y:\n    image: i\n");
	lt_write(&t, "b.yaml",
		 "include:\n  - a.yaml\nservices:\n"
		 "  z:\n    image: i\n");
	lt_load(&t);
	expect_err(DIAG_EMODEL, 2, 5, "include cycle: ");
	cr_assert(strstr(t.err.msg, "/a.yaml -> "), "%s", t.err.msg);
	cr_assert(strstr(t.err.msg, "/b.yaml -> "), "%s", t.err.msg);
	cr_assert(strstr(t.err.loc.file, "b.yaml"), "%s", t.err.loc.file);
}

Test(compose_load_file, extends_of_a_missing_file_points_at_file_key)
{
	lt_write(&t, "compose.yaml",
		 "services:\n  web:\n    extends:\n      file: gone.yaml\n"
		 "      service: base\n");
	lt_load(&t);
	expect_err(DIAG_EIO, 4, 13, "services.web.extends.file: cannot open");
	cr_assert(strstr(t.err.msg, "gone.yaml"), "%s", t.err.msg);
}

Test(compose_load_file, a_tab_in_the_indentation_is_called_a_tab)
{
	lt_write(&t, "compose.yaml", "services:\n  web:\n\timage: x\n");
	lt_load(&t);
	expect_err(DIAG_ESYNTAX, 3, 1,
		   "a tab character where YAML wants "
		   "spaces");
}

Test(compose_load_file, a_file_past_the_limit_is_refused)
{
	lt_file(&t, "/dev/zero");
	lt_load(&t);
	cr_assert_eq(t.rc, DIAG_ELIMIT, "%s", t.err.msg);
	cr_assert(strstr(t.err.msg, "larger than 8 MiB"), "%s", t.err.msg);
}

/*
 * The working directory of the Windows build is a drive path ("Z:\w\p"):
 * joined, cleaned and walked up without losing the drive; on Linux the
 * same strings never start with a drive, so nothing changes there.
 */
Test(compose_load_file, drive_paths_of_a_windows_host)
{
	struct arena *a = arena_new();

	cr_assert_str_eq(compose_path_join(a, "Z:\\w\\p", "compose.yaml"),
			 "Z:/w/p/compose.yaml");
	cr_assert_str_eq(compose_path_join(a, "C:\\w\\p", "..\\q/./x.yml"),
			 "C:/w/q/x.yml");
	cr_assert_str_eq(compose_path_join(a, "C:\\w", "..\\..\\.."), "C:/");
	cr_assert_str_eq(compose_path_join(a, "C:\\w", "D:\\data\\x"),
			 "D:/data/x");
	cr_assert_str_eq(compose_path_dir(a, "Z:\\w\\p"), "Z:\\w");
	cr_assert_str_eq(compose_path_dir(a, "Z:/w"), "Z:/");
	cr_assert_str_eq(compose_path_dir(a, "Z:/"), "Z:/");
	/* A Linux host keeps a Windows path of a volume as written. */
	cr_assert_str_eq(compose_path_join(a, "/w/p", "C:\\data"), "C:\\data");
	cr_assert_str_eq(compose_path_join(a, "/w/p", "../q"), "/w/q");
	cr_assert_str_eq(compose_path_dir(a, "/"), "/");
	arena_free(a);
}
