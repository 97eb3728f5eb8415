#include <criterion/criterion.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "util/atom.h"
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

Test(util_sbuf, add_words_appends_up_to_the_null)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_add_words(&sb, NULL);
	cr_assert_eq(sb.len, 0);
	sbuf_adds(&sb, "a");
	sbuf_add_words(&sb, " '", "", "10.0.0.1 api", "'", NULL);
	cr_assert_str_eq(sb.buf, "a '10.0.0.1 api'");
	cr_assert_eq(sb.len, strlen(sb.buf));
	sbuf_release(&sb);
}

Test(util_arena, allocations_are_zeroed_across_blocks)
{
	struct arena *a = arena_new();

	/* Past several blocks: every byte handed out reads zero. */
	for (int i = 0; i < 2000; i++) {
		unsigned char *p = arena_alloc(a, 100);

		for (int k = 0; k < 100; k++)
			cr_assert_eq(p[k], 0);
		memset(p, 0xff, 100);
	}
	arena_free(a);
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

Test(util_atom, equal_names_share_one_atom)
{
	char buf[16];
	uint16_t a = atom_intern("compose.yaml");
	uint16_t b;

	strcpy(buf, "compose.yaml"); /* another copy of the same text */
	b = atom_intern(buf);
	cr_assert_neq(a, ATOM_NONE);
	cr_assert_eq(a, b);
	cr_assert_neq(atom_intern("other.yaml"), a);
	cr_assert_str_eq(atom_name(a), "compose.yaml");
	cr_assert_eq(atom_intern(NULL), ATOM_NONE);
	cr_assert_null(atom_name(ATOM_NONE));
}

Test(util_atom, table_fills_up_without_losing_names)
{
	char name[32];
	uint16_t first = atom_intern("n0");

	for (unsigned i = 1; i < ATOM_MAX; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		cr_assert_neq(atom_intern(name), ATOM_FULL, "at %u", i);
	}
	cr_assert_eq(atom_intern("one too many"), ATOM_FULL);
	cr_assert_str_eq(atom_name(ATOM_FULL), "?");
	/* Names already in stay found, and keep their atom. */
	cr_assert_eq(atom_intern("n0"), first);
	cr_assert_str_eq(atom_name(atom_intern("n4000")), "n4000");
}

Test(util_arena, strings_pack_and_objects_stay_aligned)
{
	struct arena *a = arena_new();
	char *s1 = arena_strdup(a, "ab");
	char *s2 = arena_strdup(a, "cd");
	void *p = arena_alloc(a, 24);

	cr_assert_eq(s2 - s1, 3, "strings are packed, not rounded up");
	cr_assert_eq((uintptr_t)p % alignof(max_align_t), 0);
	cr_assert_str_eq(s1, "ab");
	cr_assert_str_eq(s2, "cd");
	arena_free(a);
}
