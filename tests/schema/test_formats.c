/* x-mixcompose-format checks, fast patterns and scalar types in C. */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"
#include "util/rx.h"
#include "util/xalloc.h"

static const char *
def_pattern(const struct compose_node *doc, const char *def, int branch)
{
	const struct compose_node *d =
		compose_map_get(compose_map_get(doc, "definitions"), def);

	if (branch >= 0)
		d = compose_map_get(d, "oneOf")->items[branch];
	return compose_map_get(d, "pattern")->str;
}

static void agree(const char *pattern,
		  const char *format,
		  const char *const *samples,
		  size_t n,
		  size_t min_valid)
{
	size_t valid = 0;

	for (size_t i = 0; i < n; i++) {
		bool by_rx = rx_match(pattern, samples[i]);

		cr_assert_eq(sch_cformat_ok(format, samples[i]), by_rx,
			     "%s '%s': pattern says %d", format, samples[i],
			     by_rx);
		valid += by_rx;
	}
	/* Both directions are exercised. */
	cr_assert_geq(valid, min_valid);
	cr_assert_lt(valid, n);
}

Test(schema_formats, port_check_agrees_with_the_port_pattern)
{
	static const char *const samples[] = {
		"80",
		"0",
		"65535",
		"60000",
		"12345",
		"8080:80",
		"127.0.0.1:8080:80",
		"127.0.0.1::80",
		":80",
		"999.1.1.1:80:80",
		"[::1]:53:53/udp",
		"[::1]::53",
		"8000-8010:80-90",
		"80/tcp",
		"9000:9000/sctp",
		"${P}:80",
		"$P",
		"65536",
		"80800:80",
		"80:80/icmp",
		"web",
		"",
		"1.2.3:80:80",
		"1.2.3.4:80",
		"[::1]:80",
		"00080",
		"99999",
		"a:b:c:d",
		"80:",
		"80-",
		"-80",
		"1234567",
		"[]:80:80",
		"10.0.0.1:80:80:80",
		"80/",
		"/tcp",
	};
	struct arena *a = arena_new();
	struct compose_node *doc = th_parse(a, schema_text_get());

	agree(def_pattern(doc, "port", 1), "port", samples, ARRAY_SIZE(samples),
	      15);
	arena_free(a);
}

Test(schema_formats, duration_check_agrees_with_the_duration_pattern)
{
	static const char *const samples[] = {
		"10s",	     "1m30s", "500ms", "1h",	     "0",  "-5s",
		"+3m",	     "1.5h",  ".5s",   "1.s",	     "0s", "5\xc2\xb5s",
		"2h45m0.5s", "${T}",  "10",    "10 seconds", "s",  "",
		"1d",	     "3m-2s", "00",    "1ms2",	     ".s", "5S",
	};
	struct arena *a = arena_new();
	struct compose_node *doc = th_parse(a, schema_text_get());

	agree(def_pattern(doc, "duration", -1), "duration", samples,
	      ARRAY_SIZE(samples), 12);
	arena_free(a);
}

Test(schema_formats, port_range_of_the_long_form)
{
	cr_assert(sch_cformat_ok("port-range", "8080"));
	cr_assert(sch_cformat_ok("port-range", "8000-8010"));
	cr_assert(sch_cformat_ok("port-range", "${HTTP_PORT}"));
	cr_assert_not(sch_cformat_ok("port-range", "80800"));
	cr_assert_not(sch_cformat_ok("port-range", "8080:80"));
	cr_assert_not(sch_cformat_ok("port-range", ""));
}

Test(schema_formats, plain_type_agrees_with_compose_scalar_type)
{
	static const char *const samples[] = {
		"",	"~",	 "null",    "Null",  "NULL",  "nil",   "true",
		"True", "TRUE",	 "tRue",    "false", "FALSE", "yes",   "no",
		"on",	"0",	 "-1",	    "+7",    "0o17",  "0o8",   "0x1F",
		"0xG",	"1.5",	 "1.",	    ".5",    "-.5",   "1e3",   "1.5E-3",
		"1e",	".",	 "-",	    ".inf",  "-.Inf", "+.INF", ".nan",
		".NaN", "-.nan", "8080:80", "1_000", "12abc", "t0",    "n/a",
	};
	struct arena *a = arena_new();

	for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
		struct compose_node *n =
			compose_node_scalar(a, samples[i], NULL);
		static const unsigned want[] = {
			[COMPOSE_TYPE_STRING] = SCH_T_STR,
			[COMPOSE_TYPE_NULL] = SCH_T_NULL,
			[COMPOSE_TYPE_BOOL] = SCH_T_BOOL,
			[COMPOSE_TYPE_INT] = SCH_T_INT,
			[COMPOSE_TYPE_FLOAT] = SCH_T_NUM,
		};

		n->style = COMPOSE_SCALAR_PLAIN;
		cr_assert_eq(sch_plain_type(samples[i]),
			     want[compose_scalar_type(n)], "'%s'", samples[i]);
	}
	arena_free(a);
}

Test(schema_formats, character_class_pattern_without_pcre)
{
	struct sch_rx r;

	cr_assert(sch_rx_init(&r, "^[a-zA-Z0-9._-]+$", NULL, 0));
	cr_assert(r.is_class);
	cr_assert(sch_rx_match(&r, "web-1.a_b"));
	cr_assert_not(sch_rx_match(&r, "my web"));
	cr_assert_not(sch_rx_match(&r, ""));
	cr_assert_not(sch_rx_match(&r, "caf\xc3\xa9"));
	cr_assert(sch_rx_init(&r, "^[a-z]+$", NULL, 0));
	cr_assert(sch_rx_match(&r, "nofile"));
	cr_assert_not(sch_rx_match(&r, "NOFILE"));
	cr_assert(sch_rx_init(&r, "^x-", NULL, 0));
	cr_assert(r.prefix && sch_rx_match(&r, "x-a") &&
		  !sch_rx_match(&r, "y-x-"));
	cr_assert(sch_rx_init(&r, "^[^a]+$", NULL, 0));
	cr_assert_not(r.is_class);
	cr_assert(sch_rx_match(&r, "bcd") && !sch_rx_match(&r, "bad"));
}
