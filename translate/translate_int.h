#ifndef TRANSLATE_TRANSLATE_INT_H
#define TRANSLATE_TRANSLATE_INT_H

/* Shared by the files of translate/ only. */

#include "translate/translate.h"

struct tr {
	struct arena *a;
	const struct compose_project *p;
	const struct translate_options *o;
	struct diag_list *notes;
	const char *target_name; /* "swarm", "kubernetes" */
	const char **os;	 /* per service: the routed OS */
	struct translate_docs *docs;
	size_t docs_alloc;
};

/* Nodes, all in t->a.  tr_str gives a quoted scalar (always a string). */
struct compose_node *tr_map(struct tr *t);
struct compose_node *tr_seq(struct tr *t);
struct compose_node *tr_str(struct tr *t, const char *s);
/* A plain scalar: typed as YAML reads it ("80" is a number, "" null). */
struct compose_node *tr_plain(struct tr *t, const char *s);
struct compose_node *tr_int(struct tr *t, long long v);
struct compose_node *tr_bool(struct tr *t, bool v);
/* map[key] = v; tr_puts does nothing for a NULL string. */
void tr_put(struct tr *t,
	    struct compose_node *map,
	    const char *key,
	    struct compose_node *v);
void tr_puts(struct tr *t,
	     struct compose_node *map,
	     const char *key,
	     const char *s);
void tr_push(struct tr *t, struct compose_node *seq, struct compose_node *v);
void tr_pushs(struct tr *t, struct compose_node *seq, const char *s);
/* map[key], created as an empty map when absent. */
struct compose_node *
tr_sub(struct tr *t, struct compose_node *map, const char *key);
/* A string list as a sequence of strings. */
struct compose_node *tr_strv(struct tr *t, const struct compose_strv *v);
void tr_add_doc(struct tr *t, struct compose_node *doc);

/* A warning "PATH: not carried over to TARGET: WHY" at 'loc'. */
void tr_note(struct tr *t,
	     const struct diag_loc *loc,
	     const char *path,
	     const char *fmt,
	     ...) __attribute__((format(printf, 4, 5)));
/* The location of services.<svc>.<key> (the key), else the service's. */
struct diag_loc tr_key_loc(const struct compose_service *s, const char *key);

/*
 * Notes every key of the service that the target's table does not carry,
 * and every key the table does not know.
 */
void tr_check_keys(struct tr *t, const struct compose_service *s);

/* Go-style duration text ("1s", "1m30s", "500ms") of nanoseconds. */
const char *tr_duration(struct tr *t, long long ns);
/* Whole seconds, rounded up, at least 1. */
long long tr_seconds(long long ns);
/* A DNS-1123 label from 's' (lower case, [a-z0-9-], at most 63). */
const char *tr_dns_name(struct tr *t, const char *s);
/* The last path element of 'path'. */
const char *tr_basename(const char *path);

int tr_swarm(struct tr *t, struct diag *err);
int tr_kube(struct tr *t, struct diag *err);

#endif
