/*
 * label_file (compose/normalize_env.c): files of labels with the .env
 * rules, a later file over an earlier one, `labels` over all of them.
 */
#include "load_helpers.h"

static struct lt t;

static void setup(void)
{
	lt_init(&t);
}

static void teardown(void)
{
	lt_done(&t);
}

TestSuite(compose_label_file, .init = setup, .fini = teardown);

static const char *label(const struct compose_service *s, const char *k)
{
	const struct compose_kv *kv = lt_kv(s->labels, s->n_labels, k);

	return kv ? kv->value : NULL;
}

static void load_fixture(void)
{
	lt_env(&t, "BASE=from-shell");
	lt_file(&t, FIXTURE("compose/label_file/compose.yaml"));
	lt_ok(&t, NULL);
}

Test(compose_label_file, later_file_wins_and_labels_win_over_files)
{
	const struct compose_service *app;

	load_fixture();
	app = lt_svc(&t, "app");
	cr_assert_str_eq(label(app, "com.example.tier"), "backend");
	cr_assert_str_eq(label(app, "com.example.desc"), "second file");
	cr_assert_str_eq(label(app, "TEAM"), "ours");
	cr_assert_str_eq(label(app, "com.example.extra"), "from-labels");
	cr_assert_eq(app->n_labels, 6);
}

Test(compose_label_file, a_single_path_string)
{
	const struct compose_service *one;

	load_fixture();
	one = lt_svc(&t, "one");
	cr_assert_str_eq(label(one, "TEAM"), "theirs");
	cr_assert_eq(one->n_labels, 4);
}

/* compose-go looks ${VAR} up among the labels read so far, not the shell. */
Test(compose_label_file, variables_come_from_earlier_labels_only)
{
	const struct compose_service *app, *one;

	load_fixture();
	app = lt_svc(&t, "app");
	one = lt_svc(&t, "one");
	cr_assert_str_eq(label(app, "team2"), "base-x");
	cr_assert_str_eq(label(one, "com.example.desc"), "quoted base ");
}

Test(compose_label_file, relative_to_the_file_that_declares_it)
{
	load_fixture();
	cr_assert_str_eq(label(lt_svc(&t, "ext"), "from.base"), "yes");
}

Test(compose_label_file, config_shows_merged_labels_and_no_label_file)
{
	char *json;

	load_fixture();
	json = lt_json(&t);
	cr_assert_null(strstr(json, "\"label_file\":"), "%s", json);
	cr_assert(strstr(json, "\"com.example.tier\": \"backend\""), "%s",
		  json);
	free(json);
}

Test(compose_label_file, labels_of_files_go_into_the_service_labels_order)
{
	const struct compose_service *app;

	load_fixture();
	app = lt_svc(&t, "app");
	/* File labels first, in file order; then those of `labels`. */
	cr_assert_str_eq(app->labels[0].key, "com.example.tier");
	cr_assert_str_eq(app->labels[app->n_labels - 1].key,
			 "com.example.extra");
}

Test(compose_label_file, missing_file_is_an_error_at_its_path)
{
	lt_write(&t, "a.labels", "A=1\n");
	lt_write(&t, "compose.yaml",
		 "services:\n  s:\n    image: x\n    label_file:\n"
		 "      - a.labels\n      - nope.labels\n");
	cr_assert_eq(lt_load(&t), 0, "%s", t.err.msg);
	lt_expect(&t, "services.s.label_file[1]: label file '", 6, 9);
	cr_assert(strstr(lt_diag(&t, "label file")->msg, "/nope.labels' not "
							 "found"));
}

Test(compose_label_file, item_that_is_not_a_path_is_an_error)
{
	lt_write(&t, "compose.yaml",
		 "services:\n  s:\n    image: x\n"
		 "    label_file: [{a: 1}]\n");
	cr_assert_eq(lt_load(&t), 0, "%s", t.err.msg);
	lt_expect(&t, "services.s.label_file[0]: expected a path", 4, 18);
}

Test(compose_label_file, syntax_error_in_a_file_names_its_line_and_column)
{
	const struct diag *d;

	lt_write(&t, "bad.labels", "A=1\nB=\"open\n");
	lt_write(&t, "compose.yaml",
		 "services:\n  s:\n    image: x\n"
		 "    label_file: bad.labels\n");
	cr_assert_eq(lt_load(&t), 0, "%s", t.err.msg);
	cr_assert_eq(t.nrc, DIAG_EMODEL);
	d = &t.dl.items[0].d;
	cr_assert_eq(d->code, DIAG_ESYNTAX, "%s", d->msg);
	cr_assert(strstr(d->loc.file, "/bad.labels"), "%s", d->loc.file);
	cr_assert_eq(d->loc.line, 2);
	cr_assert_eq(d->loc.col, 3, "col %d", d->loc.col);
}

Test(compose_label_file, merged_over_an_override_file)
{
	lt_write(&t, "a.labels", "A=1\n");
	lt_write(&t, "b.labels", "A=2\nB=2\n");
	lt_write(&t, "compose.yaml",
		 "services:\n  s:\n    image: x\n"
		 "    label_file: a.labels\n");
	lt_write(&t, "compose.override.yaml",
		 "services:\n  s:\n    label_file: [b.labels]\n");
	lt_ok(&t, NULL);
	cr_assert_str_eq(label(lt_svc(&t, "s"), "A"), "2");
	cr_assert_str_eq(label(lt_svc(&t, "s"), "B"), "2");
}
