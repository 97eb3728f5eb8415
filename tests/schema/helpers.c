#include "helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct compose_node *th_parse(struct arena *a, const char *text)
{
	struct compose_node *n = NULL;
	struct diag err = {0};
	int rc = compose_yaml_parse(&n, a, "compose.yaml", text, strlen(text),
				    NULL, &err);

	cr_assert_eq(rc, 0, "parse: %d:%d: %s", err.loc.line, err.loc.col,
		     err.msg);
	return n;
}

struct compose_node *th_parse_file(struct arena *a, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;
	struct compose_node *n;

	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)len + 1);
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	n = th_parse(a, buf);
	free(buf);
	return n;
}

struct schema th_compile(struct arena *a, const char *json)
{
	struct schema s;
	struct diag err = {0};
	int rc = schema_compile(&s, a, th_parse(a, json), &err);

	cr_assert_eq(rc, 0, "compile: %s", err.msg);
	return s;
}

int th_check(struct diag_list *dl, const char *schema_json, const char *yaml)
{
	struct arena *a = arena_new();
	struct schema s = th_compile(a, schema_json);
	int rc = schema_check(&s, th_parse(a, yaml), dl);

	/* The messages are copied into 'dl'; the nodes may go. */
	arena_free(a);
	return rc;
}

int th_validate_file(struct diag_list *dl, const char *path)
{
	struct arena *a = arena_new();
	int rc = schema_validate(th_parse_file(a, path), dl);

	arena_free(a);
	return rc;
}

const struct diag_item *th_find(const struct diag_list *dl,
				enum diag_severity sev,
				int line,
				int col,
				const char *part)
{
	for (size_t i = 0; i < dl->nr; i++) {
		const struct diag_item *it = &dl->items[i];

		if (it->severity != sev || !strstr(it->d.msg, part))
			continue;
		if (line && it->d.loc.line != line)
			continue;
		if (col && it->d.loc.col != col)
			continue;
		return it;
	}
	th_dump(dl);
	return NULL;
}

void th_dump(const struct diag_list *dl)
{
	for (size_t i = 0; i < dl->nr; i++)
		fprintf(stderr, "  [%s] %d:%d: %s\n",
			dl->items[i].severity == DIAG_ERROR ? "E" : "W",
			dl->items[i].d.loc.line, dl->items[i].d.loc.col,
			dl->items[i].d.msg);
}
