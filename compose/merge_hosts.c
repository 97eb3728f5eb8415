/*
 * extra_hosts across files and extends, as compose-go's override merge
 * does it (mergeExtraHosts): both sides become lists of "host=ip" strings
 * (a map entry gives one string per address, sorted, as compose-go's
 * convertIntoSequence; a list stays as written), and the later side's
 * strings that the earlier side does not have are appended.  So no file
 * drops an address that another one gives: a host collects them all.
 */
#include "compose/load_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

static int cmp_node_str(const void *x, const void *y)
{
	return strcmp((*(struct compose_node *const *)x)->str,
		      (*(struct compose_node *const *)y)->str);
}

/* "host=ip" for one map entry's address node 'v' (NULL: the bare host). */
static struct compose_node *entry(struct arena *a,
				  const struct compose_node *key,
				  const struct compose_node *v)
{
	const struct compose_node *at = v ? v : key;
	const char *s = v ? compose_node_str(v) : NULL;

	return compose_node_scalar(
		a, s ? arena_sprintf(a, "%s=%s", key->str, s) : key->str,
		COMPOSE_NODE_LOC(at));
}

/* A map of host -> address or list of addresses, as a sorted list. */
static struct compose_node *map_as_list(struct arena *a,
					const struct compose_node *m)
{
	struct compose_node *seq = compose_node_seq(a, COMPOSE_NODE_LOC(m));

	for (size_t i = 0; i < m->n; i++) {
		const struct compose_node *k = m->pairs[i].key;
		const struct compose_node *v = m->pairs[i].value;

		if (compose_node_is_null(v))
			compose_seq_push(a, seq, entry(a, k, NULL));
		else if (v->kind == COMPOSE_NODE_SEQ)
			for (size_t j = 0; j < v->n; j++)
				compose_seq_push(a, seq,
						 entry(a, k, v->items[j]));
		else
			compose_seq_push(a, seq, entry(a, k, v));
	}
	qsort(seq->items, seq->n, sizeof(*seq->items), cmp_node_str);
	return seq;
}

static bool has_str(const struct compose_node *seq, const char *s)
{
	for (size_t i = 0; i < seq->n; i++)
		if (compose_node_str(seq->items[i]) &&
		    !strcmp(seq->items[i]->str, s))
			return true;
	return false;
}

struct compose_node *compose_merge_extra_hosts(struct arena *a,
					       const struct compose_node *b,
					       const struct compose_node *o)
{
	const struct compose_node *bl = b, *ol = o;
	struct compose_node *res;

	if (b->kind == COMPOSE_NODE_MAP)
		bl = map_as_list(a, b);
	if (o->kind == COMPOSE_NODE_MAP)
		ol = map_as_list(a, o);
	/* Anything else is for the schema to refuse: the later one stays. */
	if (bl->kind != COMPOSE_NODE_SEQ || ol->kind != COMPOSE_NODE_SEQ)
		return compose_node_strip_reset(a, o);
	res = compose_node_seq(a, COMPOSE_NODE_LOC(b));
	for (size_t i = 0; i < bl->n; i++)
		compose_seq_push(a, res, bl->items[i]);
	for (size_t i = 0; i < ol->n; i++) {
		const char *s = compose_node_str(ol->items[i]);

		if (!s || !has_str(bl, s))
			compose_seq_push(
				a, res,
				compose_node_strip_reset(a, ol->items[i]));
	}
	return res;
}
