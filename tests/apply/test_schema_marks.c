/*
 * README's keys section is written from the schema's annotations
 * (scripts/keys-table.sh); these tests tie the annotations that the
 * program does not read itself to the code that acts: x-mixcompose-api
 * to compose_keys[]'s oldest API, x-mixcompose-refused under build to the
 * keys apply/build_spec.c refuses, x-mixcompose-buildkit-api to the keys
 * it refuses under BuildKit below API 1.APPLY_BUILDKIT_LIMITS_API.  A key
 * the code acts on may not carry the "is ignored" warning.
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/apply.h"
#include "compose/compose.h"

static cJSON *root;

static void load(void)
{
	FILE *f = fopen(SOURCE_DIR "/schema/mixcompose.schema.json", "rb");
	char *text;
	long n;

	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	root = cJSON_Parse(text);
	free(text);
	cr_assert_not_null(root);
}

static void unload(void)
{
	cJSON_Delete(root);
	root = NULL;
}

TestSuite(apply_schema_marks, .init = load, .fini = unload);

/* "#/definitions/x" -> that node; others as they are. */
static const cJSON *deref(const cJSON *s)
{
	const cJSON *ref = cJSON_GetObjectItem(s, "$ref");

	if (!cJSON_IsString(ref) ||
	    strncmp(ref->valuestring, "#/definitions/", 14))
		return s;
	return deref(
		cJSON_GetObjectItem(cJSON_GetObjectItem(root, "definitions"),
				    ref->valuestring + 14));
}

/* Property 'k' of schema 's', in it or in one of its oneOf branches. */
static const cJSON *prop(const cJSON *s, const char *k, size_t len)
{
	const cJSON *b, *p;

	s = deref(s);
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(s, "properties")) {
		if (strlen(p->string) == len && !strncmp(p->string, k, len))
			return p;
	}
	cJSON_ArrayForEach(b, cJSON_GetObjectItem(s, "oneOf")) {
		if ((p = prop(b, k, len)))
			return p;
	}
	return NULL;
}

/* The schema of service key 'path' ("deploy.resources.limits.memory"). */
static const cJSON *service_key(const char *path)
{
	const cJSON *s = cJSON_GetObjectItem(
		cJSON_GetObjectItem(root, "definitions"), "service");

	while (s && *path) {
		size_t len = strcspn(path, ".");

		s = prop(s, path, len);
		path += len + (path[len] == '.');
	}
	return s;
}

Test(apply_schema_marks, api_marks_are_compose_keys_oldest_api)
{
	for (size_t i = 0; i < compose_n_keys; i++) {
		const struct compose_key *k = &compose_keys[i];
		const cJSON *s = service_key(k->path);
		const cJSON *api;
		char want[16];

		cr_assert_not_null(s, "%s is not in the schema", k->path);
		api = cJSON_GetObjectItem(s, "x-mixcompose-api");
		cr_assert_not(
			cJSON_HasObjectItem(s, "x-mixcompose-unsupported"),
			"%s is acted on, yet warned about", k->path);
		if (!COMPOSE_KEY_API_MIN(k)) {
			cr_assert_null(api, "%s needs no API", k->path);
			continue;
		}
		snprintf(want, sizeof(want), "1.%d", COMPOSE_KEY_API_MIN(k));
		cr_assert(
			cJSON_IsString(api) && !strcmp(api->valuestring, want),
			"%s: x-mixcompose-api should be \"%s\"", k->path, want);
	}
}

/* The keys of build's long syntax. */
static const cJSON *build_keys(void)
{
	return cJSON_GetObjectItem(
		cJSON_GetArrayItem(
			cJSON_GetObjectItem(service_key("build"), "oneOf"), 1),
		"properties");
}

Test(apply_schema_marks, refused_build_keys_are_the_classic_builders)
{
	/* apply/build_spec.c's refusals, compose v2's build_classic.go. */
	static const char *const refused[] = {
		"privileged", "additional_contexts", "ssh", "secrets"};
	const cJSON *k;
	size_t marked = 0;

	cJSON_ArrayForEach(k, build_keys()) {
		bool want = false;

		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]);
		     i++)
			want |= !strcmp(k->string, refused[i]);
		cr_assert_eq(cJSON_HasObjectItem(k, "x-mixcompose-refused"),
			     want, "build.%s", k->string);
		if (want)
			cr_assert_not(cJSON_HasObjectItem(
				k, "x-mixcompose-unsupported"));
		marked += want;
	}
	cr_assert_eq(marked, sizeof(refused) / sizeof(refused[0]));
}

Test(apply_schema_marks, buildkit_api_marks_are_the_limits_build_spec_refuses)
{
	/* apply/build_spec.c's buildkit_dropped(): ulimits and shm_size. */
	static const char *const marked[] = {"shm_size", "ulimits"};
	const cJSON *k;
	char want[16];
	size_t n = 0;

	snprintf(want, sizeof(want), "1.%d", APPLY_BUILDKIT_LIMITS_API);
	cJSON_ArrayForEach(k, build_keys()) {
		const cJSON *api =
			cJSON_GetObjectItem(k, "x-mixcompose-buildkit-api");

		if (!api)
			continue;
		cr_assert_lt(n, 2, "%s is marked too", k->string);
		cr_assert_str_eq(k->string, marked[n]);
		cr_assert(cJSON_IsString(api) &&
				  !strcmp(api->valuestring, want),
			  "%s: x-mixcompose-buildkit-api should be \"%s\"",
			  k->string, want);
		n++;
	}
	cr_assert_eq(n, 2);
}
