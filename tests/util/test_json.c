#include <criterion/criterion.h>

#include <string.h>

#include "util/json.h"

static struct json *sample(void)
{
	struct json *o = json_object_new();
	struct json *a, *in;

	json_add_str(o, "name", "a\"b\\c\n\x01<&>");
	json_add_str(o, "none", NULL);
	json_add_int(o, "size", 5000000000LL);
	json_add_int(o, "neg", -3);
	json_add_num(o, "ms", 1.5, 3);
	json_add_bool(o, "ok", true);
	json_add_null(o, "nil");
	a = json_add_array(o, "list");
	json_add_str(a, NULL, "x");
	in = json_add_object(a, NULL);
	json_add_bool(in, "deep", false);
	json_add_array(o, "empty_list");
	json_add_object(o, "empty_map");
	return o;
}

Test(util_json, compact_as_go_marshal)
{
	struct sbuf sb = SBUF_INIT;

	json_write_free(&sb, sample(), 0);
	cr_assert_str_eq(sb.buf,
			 "{\"name\":\"a\\\"b\\\\c\\n\\u0001<&>\",\"none\":null,"
			 "\"size\":5000000000,\"neg\":-3,\"ms\":1.500,"
			 "\"ok\":true,\"nil\":null,"
			 "\"list\":[\"x\",{\"deep\":false}],"
			 "\"empty_list\":[],\"empty_map\":{}}\n");
	sbuf_release(&sb);
}

Test(util_json, indented_as_go_marshal_indent)
{
	struct sbuf sb = SBUF_INIT;
	struct json *o = sample();

	json_write(&sb, o, 2, 0);
	json_free(o);
	cr_assert_str_eq(sb.buf, "{\n"
				 "  \"name\": \"a\\\"b\\\\c\\n\\u0001<&>\",\n"
				 "  \"none\": null,\n"
				 "  \"size\": 5000000000,\n"
				 "  \"neg\": -3,\n"
				 "  \"ms\": 1.500,\n"
				 "  \"ok\": true,\n"
				 "  \"nil\": null,\n"
				 "  \"list\": [\n"
				 "    \"x\",\n"
				 "    {\n"
				 "      \"deep\": false\n"
				 "    }\n"
				 "  ],\n"
				 "  \"empty_list\": [],\n"
				 "  \"empty_map\": {}\n"
				 "}");
	sbuf_release(&sb);
}

Test(util_json, margin_nests_the_text)
{
	struct sbuf sb = SBUF_INIT;
	struct json *a = json_array_new();

	json_add_int(a, NULL, 1);
	json_write(&sb, a, 2, 4);
	json_free(a);
	cr_assert_str_eq(sb.buf, "[\n      1\n    ]");
	sbuf_release(&sb);
}

Test(util_json, long_strings_and_utf8_pass_through)
{
	struct sbuf sb = SBUF_INIT;
	struct json *a = json_array_new();
	char big[300];

	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	json_add_str(a, NULL, big);
	json_add_str(a, NULL, "h\xc3\xa9");
	json_write(&sb, a, 2, 0);
	json_free(a);
	cr_assert(strstr(sb.buf, big));
	cr_assert(strstr(sb.buf, "\"h\xc3\xa9\""));
	sbuf_release(&sb);
}

Test(util_json, strn_keeps_nul_and_delete)
{
	struct sbuf sb = SBUF_INIT;
	struct json *a = json_array_new();

	json_add_strn(a, NULL, "a\0b\x7f\"", 5);
	json_add_strn(a, NULL, "plain", 3);
	json_write(&sb, a, 0, 0);
	json_free(a);
	cr_assert_str_eq(sb.buf, "[\"a\\u0000b\x7f\\\"\",\"pla\"]");
	sbuf_release(&sb);
}

/* json_write_str's verbatim path gives cJSON's text for every byte. */
Test(util_json, write_str_escapes_as_cjson)
{
	char s[2] = {0, 0};
	const char *words[] = {"",	     "plain", "a\"b",	     "a\\b",
			       "t\tn\n\x01", "\x7f",  "caf\xc3\xa9", "<&>"};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]) + 255; i++) {
		const char *w = i < sizeof(words) / sizeof(words[0])
					? words[i]
					: (s[0] = (char)(i - 7), s);
		struct sbuf got = SBUF_INIT, want = SBUF_INIT;
		struct json *a = json_array_new();

		json_add_str(a, NULL, w);
		json_write(&want, a, 0, 0); /* cJSON's printer */
		json_free(a);
		json_write_str(&got, w);
		cr_assert_eq(got.len + 2, want.len, "%zu: %s vs %s", i, got.buf,
			     want.buf);
		cr_assert(!memcmp(got.buf, want.buf + 1, got.len),
			  "%zu: %s vs %s", i, got.buf, want.buf);
		sbuf_release(&got);
		sbuf_release(&want);
	}
}
