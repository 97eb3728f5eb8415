/*
 * The lists that compose-go makes unique after merging (its
 * override.EnforceUnicity) instead of refusing a repeated item: each
 * item gets an index key (a port by address, port and protocol, a mount
 * by target, a secret by its target) and a later item with the key of an
 * earlier one is dropped (checked against compose v2 2.26: the first
 * wins).  Other lists keep the schema's uniqueItems rule, as in v2.
 */
#include "compose/load_int.h"

#include <string.h>

#include "util/arena.h"
#include "util/xalloc.h"

enum ukind { U_STR, U_PORT, U_MOUNT, U_SECRET, U_CONFIG };

static const struct {
	const char *key;
	enum ukind kind;
} unique_keys[] = {
	{"cap_add", U_STR},    {"cap_drop", U_STR},   {"dns", U_STR},
	{"dns_opt", U_STR},    {"dns_search", U_STR}, {"expose", U_STR},
	{"links", U_STR},      {"profiles", U_STR},   {"tmpfs", U_STR},
	{"ports", U_PORT},     {"volumes", U_MOUNT},  {"devices", U_MOUNT},
	{"secrets", U_SECRET}, {"configs", U_CONFIG},
};

static const char *scalar(const struct compose_node *n)
{
	return n && n->kind == COMPOSE_NODE_SCALAR ? n->str : NULL;
}

static const char *field(const struct compose_node *m, const char *k)
{
	const char *s = scalar(compose_map_get(m, k));

	return s ? s : "";
}

/* "[ip:][published:]target[/proto]" with tcp as the default protocol. */
static const char *port_key(struct arena *a, const struct compose_node *n)
{
	const char *s = scalar(n);

	if (s)
		return strchr(s, '/') ? s : arena_sprintf(a, "%s/tcp", s);
	if (n->kind != COMPOSE_NODE_MAP)
		return NULL;
	s = field(n, "protocol");
	return arena_sprintf(a, "%s:%s:%s/%s", field(n, "host_ip"),
			     field(n, "published"), field(n, "target"),
			     *s ? s : "tcp");
}

static const char *
item_key(struct arena *a, enum ukind kind, const struct compose_node *n)
{
	const char *s = scalar(n), *t;

	switch (kind) {
	case U_STR:
		return s;
	case U_PORT:
		return port_key(a, n);
	case U_MOUNT:
		/* A short form's target is cleaned first, a long one's not. */
		t = s ? compose_volume_short_target(a, s) : NULL;
		if (t && t[0] == '/')
			t = compose_path_join(a, "/", t);
		return s ? t : scalar(compose_map_get(n, "target"));
	case U_SECRET:
	case U_CONFIG:
		t = s ? NULL : scalar(compose_map_get(n, "target"));
		if (!s)
			s = scalar(compose_map_get(n, "source"));
		if (t || !s)
			return t;
		return kind == U_SECRET ? arena_sprintf(a, "/run/secrets/%s", s)
					: arena_sprintf(a, "/%s", s);
	}
	return NULL;
}

static void
unique_seq(struct arena *a, struct compose_node *seq, enum ukind kind)
{
	const char **keys = arena_calloc(a, seq->n + 1, sizeof(*keys));
	uint32_t w = 0;

	for (uint32_t i = 0; i < seq->n; i++) {
		const char *k = item_key(a, kind, seq->items[i]);
		uint32_t j = 0;

		while (k && j < w && (!keys[j] || strcmp(keys[j], k)))
			j++;
		if (k && j < w)
			continue;
		keys[w] = k;
		seq->items[w++] = seq->items[i];
	}
	seq->n = w;
}

void compose_doc_unique(struct arena *a, struct compose_node *doc)
{
	struct compose_node *svcs =
		(struct compose_node *)compose_map_get(doc, "services");

	if (!svcs || svcs->kind != COMPOSE_NODE_MAP)
		return;
	for (uint32_t i = 0; i < svcs->n; i++) {
		struct compose_node *s = svcs->pairs[i].value;

		if (s->kind != COMPOSE_NODE_MAP)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(unique_keys); k++) {
			struct compose_node *v =
				(struct compose_node *)compose_map_get(
					s, unique_keys[k].key);

			if (v && v->kind == COMPOSE_NODE_SEQ && v->n > 1)
				unique_seq(a, v, unique_keys[k].kind);
		}
	}
}
