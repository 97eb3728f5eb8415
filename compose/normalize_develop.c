/*
 * A service's develop section: the watch triggers of `watch` and
 * `up --watch`, read as compose-go reads them (the path made absolute
 * against the project directory, an exec command string split as a shell
 * would).
 */
#include "compose/normalize_int.h"

#include <stdio.h>
#include <string.h>

#include "util/arena.h"

static const char *const watch_actions[] = {
	[COMPOSE_WATCH_SYNC] = "sync",
	[COMPOSE_WATCH_REBUILD] = "rebuild",
	[COMPOSE_WATCH_RESTART] = "restart",
	[COMPOSE_WATCH_SYNC_RESTART] = "sync+restart",
	[COMPOSE_WATCH_SYNC_EXEC] = "sync+exec",
};

void norm_hook(struct norm *n,
	       struct compose_hook *h,
	       const struct compose_node *v,
	       const char *what)
{
	const struct compose_node *c = MAP_GET(v, "command");
	struct diag err = {0};

	if (compose_node_is_null(v))
		return;
	if (c && c->kind == COMPOSE_NODE_SCALAR && !compose_node_is_null(c)) {
		if (compose_shell_split(&h->command, n->a, c->str,
					COMPOSE_NODE_LOC(c), &err))
			norm_err(n, c, "%s.command: %s", what, err.msg);
	} else {
		h->command = norm_strv(n, c, what);
	}
	h->user = norm_key_str(v, "user");
	h->working_dir = norm_key_str(v, "working_dir");
	h->privileged = norm_bool(n, v, "privileged", false);
	h->n_environment = norm_kv(n, &h->environment,
				   MAP_GET(v, "environment"), what, "=", true);
}

static void norm_trigger(struct norm *n,
			 struct compose_watch *w,
			 const struct compose_node *v,
			 size_t i)
{
	const char *path = norm_key_str(v, "path");
	const char *act = norm_key_str(v, "action");
	char what[64];

	snprintf(what, sizeof(what), "develop.watch[%zu]", i);
	w->loc = compose_node_loc(v);
	if (!path || !act) {
		norm_err(n, v, "%s: 'path' and 'action' are required", what);
		return;
	}
	w->path = compose_path_is_abs(path)
			  ? path
			  : compose_path_join(n->a, n->p->working_dir, path);
	w->action = act;
	for (size_t k = 0; k < sizeof(watch_actions) / sizeof(*watch_actions);
	     k++)
		if (!strcmp(act, watch_actions[k]))
			w->act = (enum compose_watch_action)k;
	w->target = norm_key_str(v, "target");
	w->ignore = norm_strv(n, MAP_GET(v, "ignore"), what);
	w->include = norm_strv(n, MAP_GET(v, "include"), what);
	w->initial_sync = norm_bool(n, v, "initial_sync", false) ||
			  norm_bool(n, v, "x-initialSync", false);
	norm_hook(n, &w->exec, MAP_GET(v, "exec"), what);
}

void norm_service_develop(struct norm *n,
			  struct compose_service *s,
			  const struct compose_node *v)
{
	const struct compose_node *w = MAP_GET(v, "watch");

	if (compose_node_is_null(v))
		return;
	s->develop = true;
	if (!w || w->kind != COMPOSE_NODE_SEQ)
		return;
	s->watch = arena_calloc(n->a, w->n + 1, sizeof(*s->watch));
	for (size_t i = 0; i < w->n; i++)
		if (w->items[i]->kind == COMPOSE_NODE_MAP)
			norm_trigger(n, &s->watch[s->n_watch++], w->items[i],
				     i);
}
