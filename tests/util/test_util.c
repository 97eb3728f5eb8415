#include <criterion/criterion.h>
#include <string.h>

#include "util/arena.h"
#include "util/diag.h"
#include "util/rx.h"
#include "util/sbuf.h"

Test(util_sbuf, addf_grows_past_initial_size)
{
	struct sbuf sb = SBUF_INIT;

	for (int i = 0; i < 1000; i++)
		sbuf_addf(&sb, "%d,", i);
	cr_assert_eq(strncmp(sb.buf, "0,1,2,", 6), 0);
	cr_assert_eq(sb.len, strlen(sb.buf));
	cr_assert(strstr(sb.buf, "999,") != NULL);
	sbuf_release(&sb);
	cr_assert_eq(sb.len, 0);
}

Test(util_sbuf, json_string_escapes_controls)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_add_json_str(&sb, "a\"b\\c\n\x01");
	cr_assert_str_eq(sb.buf, "\"a\\\"b\\\\c\\n\\u0001\"");
	sbuf_release(&sb);
}

Test(util_arena, large_allocation_keeps_block_usable)
{
	struct arena *a = arena_new();
	char *small = arena_strdup(a, "abc");
	char *big = arena_alloc(a, 1 << 20);
	char *small2 = arena_strdup(a, "def");

	big[(1 << 20) - 1] = 'x';
	cr_assert_str_eq(small, "abc");
	cr_assert_str_eq(small2, "def");
	cr_assert_geq(arena_used(a), (size_t)(1 << 20));
	arena_free(a);
}

Test(util_diag, format_has_file_line_column)
{
	struct diag d;
	struct diag_loc loc = {"compose.yaml", 14, 9};
	struct sbuf sb = SBUF_INIT;
	int rc = diag_set(&d, DIAG_ESCHEMA, &loc,
			  "services.web.ports[1]: '%s' is not a valid port",
			  "80800");

	cr_assert_eq(rc, DIAG_ESCHEMA);
	diag_format(&sb, &d);
	cr_assert_str_eq(sb.buf, "compose.yaml:14:9: services.web.ports[1]: "
				 "'80800' is not a valid port");
	sbuf_release(&sb);
}

Test(util_diag, list_sorts_by_position)
{
	struct diag_list l = DIAG_LIST_INIT;
	struct diag_loc a = {"f", 9, 1}, b = {"f", 2, 5};

	diag_list_add(&l, DIAG_ERROR, DIAG_ESCHEMA, &a, "second");
	diag_list_add(&l, DIAG_WARNING, DIAG_ESCHEMA, &b, "first");
	diag_list_sort(&l);
	cr_assert_str_eq(l.items[0].d.msg, "first");
	cr_assert_eq(l.errors, 1);
	cr_assert_eq(l.warnings, 1);
	diag_list_release(&l);
}

Test(util_rx, search_is_unanchored_and_bad_pattern_never_matches)
{
	char msg[128];

	cr_assert(rx_match("^[a-z]+$", "web"));
	cr_assert_not(rx_match("^[a-z]+$", "Web"));
	cr_assert(rx_match("b", "abc"));
	cr_assert_null(rx_get("(", msg, sizeof(msg)));
	cr_assert_not(rx_match("(", "("));
	rx_cache_clear();
}

Test(util_sbuf, json_strn_escapes_nul_and_delete)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_add_json_strn(&sb, "a\0b\x7f", 4);
	cr_assert_str_eq(sb.buf, "\"a\\u0000b\\u007f\"");
	sbuf_release(&sb);
}
