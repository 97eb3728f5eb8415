/* cJSON helpers: read replies into plain values, write request bodies. */
#include "engine/engine_int.h"

#include <stdio.h>
#include <string.h>

#include "util/arena.h"

const char *ej_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

long long ej_int(const cJSON *o, const char *key, long long dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (long long)v->valuedouble : dflt;
}

bool ej_bool(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

const cJSON *ej_obj(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsObject(v) || cJSON_IsArray(v) ? v : NULL;
}

char *ej_astr(struct arena *a, const cJSON *o, const char *key)
{
	const char *s = ej_str(o, key);

	return arena_strdup(a, s ? s : "");
}

size_t ej_kv(struct engine_kv **out, struct arena *a, const cJSON *o)
{
	const cJSON *it;
	size_t n = 0;

	*out = NULL;
	if (!cJSON_IsObject(o))
		return 0;
	*out = arena_calloc(a, (size_t)cJSON_GetArraySize(o) + 1,
			    sizeof(**out));
	cJSON_ArrayForEach(it, o) {
		(*out)[n].key = arena_strdup(a, it->string);
		(*out)[n].value = arena_strdup(
			a, cJSON_IsString(it) ? it->valuestring : "");
		n++;
	}
	return n;
}

void ej_strv(struct engine_strv *out, struct arena *a, const cJSON *arr)
{
	const char **v;
	const cJSON *it;
	size_t n = 0;

	out->v = NULL;
	out->n = 0;
	if (!cJSON_IsArray(arr))
		return;
	v = arena_calloc(a, (size_t)cJSON_GetArraySize(arr) + 1, sizeof(*v));
	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it))
			v[n++] = arena_strdup(a, it->valuestring);
	out->v = v;
	out->n = n;
}

void ej_copy(char *dst, size_t size, const cJSON *o, const char *key)
{
	const char *s = ej_str(o, key);

	snprintf(dst, size, "%s", s ? s : "");
}

void ej_add_str(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, key, s);
}

void ej_add_strv(cJSON *o, const char *key, const struct engine_strv *v)
{
	cJSON *arr;

	if (!v->v)
		return;
	arr = cJSON_AddArrayToObject(o, key);
	for (size_t i = 0; i < v->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(v->v[i]));
}

void ej_add_kv(cJSON *o, const char *key, const struct engine_kv *kv, size_t n)
{
	cJSON *m;

	if (!n)
		return;
	m = cJSON_AddObjectToObject(o, key);
	for (size_t i = 0; i < n; i++)
		cJSON_AddStringToObject(m, kv[i].key,
					kv[i].value ? kv[i].value : "");
}

/* ---- base64, Go's encoding/json form of []byte ---------------------- */

static int b64_val(char c)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(tab, c) : NULL;

	return p ? (int)(p - tab) : -1;
}

int eng_base64_decode(struct sbuf *out, const char *s)
{
	unsigned acc = 0;
	int bits = 0;

	for (; *s && *s != '='; s++) {
		int v = b64_val(*s);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			sbuf_addch(out, (char)((acc >> bits) & 0xff));
		}
	}
	return 0;
}
