/* extra_hosts in every form compose-go reads (compose/normalize_hosts.c). */
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

TestSuite(compose_normalize_hosts, .init = setup, .fini = teardown);

static const struct compose_service *load_fixture(void)
{
	lt_file(&t, FIXTURE("compose/extra_hosts/compose.yaml"));
	lt_ok(&t, NULL);
	return lt_svc(&t, "app");
}

/* The i-th entry is host=ip, at line:col. */
static void expect_entry(const struct compose_service *s,
			 size_t i,
			 const char *host,
			 const char *ip,
			 int line,
			 int col)
{
	cr_assert_lt(i, s->n_extra_hosts);
	cr_assert_str_eq(s->extra_hosts[i].key, host);
	cr_assert_str_eq(s->extra_hosts[i].value, ip);
	cr_assert_eq(s->extra_hosts[i].loc.line, line, "%s=%s: line %d", host,
		     ip, s->extra_hosts[i].loc.line);
	cr_assert_eq(s->extra_hosts[i].loc.col, col, "%s=%s: col %d", host, ip,
		     s->extra_hosts[i].loc.col);
}

static void bad(const char *hosts)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
		 "services:\n  s:\n    image: x\n    extra_hosts:%s", hosts);
	lt_write(&t, "compose.yaml", buf);
	cr_assert_eq(lt_load(&t), 0, "%s", t.err.msg);
	cr_assert_eq(t.nrc, DIAG_EMODEL);
}

Test(compose_normalize_hosts, map_value_list_gives_one_entry_per_address)
{
	const struct compose_service *app = load_fixture();

	cr_assert_eq(app->n_extra_hosts, 4);
	expect_entry(app, 0, "myhost", "10.0.0.1", 7, 16);
	expect_entry(app, 1, "myhost", "::1", 7, 28);
}

Test(compose_normalize_hosts, map_value_string_and_brackets)
{
	const struct compose_service *app = load_fixture();

	expect_entry(app, 2, "other", "fe80::1", 8, 14);
	expect_entry(app, 3, "db", "10.0.0.9", 9, 11);
}

Test(compose_normalize_hosts, list_form_separators_and_commas)
{
	const struct compose_service *db;

	load_fixture();
	db = lt_svc(&t, "db");
	cr_assert_eq(db->n_extra_hosts, 4);
	expect_entry(db, 0, "somehost", "162.242.195.82", 14, 9);
	expect_entry(db, 1, "myhostv6", "::1", 15, 9);
	expect_entry(db, 2, "multi", "10.0.0.1", 16, 9);
	expect_entry(db, 3, "multi", "10.0.0.2", 16, 9);
}

Test(compose_normalize_hosts, same_host_twice_in_a_list_keeps_both)
{
	const struct compose_service *s;

	lt_ok(&t, "services:\n  s:\n    image: x\n    extra_hosts:\n"
		  "      - \"h=10.0.0.1\"\n      - \"h:10.0.0.2\"\n");
	s = lt_svc(&t, "s");
	cr_assert_eq(s->n_extra_hosts, 2);
	cr_assert_str_eq(s->extra_hosts[1].value, "10.0.0.2");
}

Test(compose_normalize_hosts, config_output_lists_every_address_sorted)
{
	char *json;

	load_fixture();
	json = lt_json(&t);
	cr_assert(strstr(json, "\"extra_hosts\": [\n        \"db=10.0.0.9\",\n"
			       "        \"myhost=10.0.0.1\",\n"
			       "        \"myhost=::1\",\n"
			       "        \"other=fe80::1\"\n      ]"),
		  "%s", json);
	free(json);
}

Test(compose_normalize_hosts, empty_address_list_is_an_error)
{
	bad(" {myhost: []}\n");
	lt_expect(&t, "services.s.extra_hosts: 'myhost' has no address", 4, 27);
}

Test(compose_normalize_hosts, null_address_is_an_error)
{
	bad("\n      myhost:\n");
	lt_expect(&t, "extra_hosts: 'myhost' has no address", 5, 7);
}

Test(compose_normalize_hosts, address_that_is_not_a_string_is_an_error)
{
	bad("\n      myhost: [\"10.0.0.1\", {a: 1}]\n");
	lt_expect(&t, "services.s.extra_hosts.myhost: expected an address", 5,
		  28);
}

Test(compose_normalize_hosts, list_item_without_address_is_an_error)
{
	bad("\n      - \"ok=10.0.0.1\"\n      - nohost\n");
	lt_expect(&t, "extra_hosts[1]: 'nohost' has no address", 6, 9);
}

Test(compose_normalize_hosts, bad_host_names_are_errors)
{
	bad("\n      \"a:b\": 10.0.0.1\n      c: 10.0.0.2\n");
	lt_expect(&t, "extra_hosts: bad host name 'a:b'", 5, 7);
	cr_assert_eq(t.dl.errors, 1);
}

Test(compose_normalize_hosts, empty_host_name_in_a_list_is_an_error)
{
	bad(" [\"=10.0.0.1\"]\n");
	lt_expect(&t, "extra_hosts: bad host name ''", 4, 19);
}

Test(compose_normalize_hosts, empty_address_among_commas_is_an_error)
{
	bad(" [\"h=10.0.0.1,,10.0.0.2\"]\n");
	lt_expect(&t, "extra_hosts[0]: empty address in 'h=10.0.0.1,,10.0.0.2'",
		  4, 19);
}

Test(compose_normalize_hosts, a_string_is_not_a_list_or_mapping)
{
	bad(" myhost\n");
	lt_expect(&t, "extra_hosts: expected a list or a mapping", 4, 18);
}

/* ---- Across files (compose/merge_hosts.c) ----------------------------- */

static const struct compose_service *merged(const char *base, const char *over)
{
	lt_write(&t, "compose.yaml", base);
	lt_write(&t, "compose.override.yaml", over);
	lt_ok(&t, NULL);
	return lt_svc(&t, "s");
}

Test(compose_normalize_hosts, override_keeps_every_address_of_a_listed_host)
{
	const struct compose_service *s =
		merged("services:\n  s:\n    image: x\n"
		       "    extra_hosts: [\"h=10.0.0.1\", \"h=::1\"]\n",
		       "services:\n  s:\n    extra_hosts: [\"x=10.0.0.3\"]\n");

	cr_assert_eq(s->n_extra_hosts, 3);
	expect_entry(s, 0, "h", "10.0.0.1", 4, 19);
	expect_entry(s, 1, "h", "::1", 4, 33);
	expect_entry(s, 2, "x", "10.0.0.3", 3, 19);
}

Test(compose_normalize_hosts, map_of_lists_over_a_map_is_a_union)
{
	const struct compose_service *s =
		merged("services:\n  s:\n    image: x\n"
		       "    extra_hosts:\n      h: [\"10.0.0.1\", \"::1\"]\n",
		       "services:\n  s:\n    extra_hosts:\n"
		       "      h: [\"::1\", \"10.0.0.2\"]\n      g: 10.0.0.9\n");

	/* Each side sorted as compose-go's convertIntoSequence; no repeat. */
	cr_assert_eq(s->n_extra_hosts, 4);
	expect_entry(s, 0, "h", "10.0.0.1", 5, 11);
	expect_entry(s, 1, "h", "::1", 5, 23);
	expect_entry(s, 2, "g", "10.0.0.9", 5, 10);
	expect_entry(s, 3, "h", "10.0.0.2", 4, 18);
}

Test(compose_normalize_hosts, override_tag_replaces_and_reset_removes)
{
	const struct compose_service *s =
		merged("services:\n  s:\n    image: x\n"
		       "    extra_hosts: [\"h=10.0.0.1\"]\n",
		       "services:\n  s:\n    extra_hosts: !override "
		       "[\"g=10.0.0.2\"]\n");

	cr_assert_eq(s->n_extra_hosts, 1);
	cr_assert_str_eq(s->extra_hosts[0].key, "g");
	lt_done(&t);
	lt_init(&t);
	s = merged("services:\n  s:\n    image: x\n"
		   "    extra_hosts: [\"h=10.0.0.1\"]\n",
		   "services:\n  s:\n    extra_hosts: !reset []\n");
	cr_assert_eq(s->n_extra_hosts, 0);
}

Test(compose_normalize_hosts, extends_collects_addresses_too)
{
	const struct compose_service *s;

	lt_ok(&t, "services:\n  base:\n    image: x\n"
		  "    extra_hosts: {h: [\"10.0.0.1\"]}\n"
		  "  s:\n    extends: base\n"
		  "    extra_hosts: {h: [\"::1\"]}\n");
	s = lt_svc(&t, "s");
	cr_assert_eq(s->n_extra_hosts, 2);
	cr_assert_str_eq(s->extra_hosts[0].value, "10.0.0.1");
	cr_assert_str_eq(s->extra_hosts[1].value, "::1");
}
