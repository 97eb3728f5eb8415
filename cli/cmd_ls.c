/*
 * mixcompose ls: the compose projects on every daemon of the daemon map,
 * found by their com.docker.compose.project label, one row per project
 * whichever daemons run it.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/json.h"
#include "util/xalloc.h"

#define LS_LABEL_PROJECT "com.docker.compose.project"
#define LS_LABEL_FILES "com.docker.compose.project.config_files"

struct ls_opts {
	const char *format;
	bool all;
	bool json;
	bool quiet;
	const char *name_filter; /* --filter name=X: names containing X */
};

/* One container of some project, as a daemon listed it. */
struct ls_item {
	char *project;
	char *state;
	char *files;
	const char *daemon;
};

/* One daemon's list; the items of all of them go in one array. */
struct ls_job {
	struct cli_task *t;
	struct ls_item **items;
	size_t *n;
	size_t *alloc;
	const struct ls_opts *o;
};

static int ls_filter(void *obj, const char *v)
{
	struct ls_opts *o = obj;

	if (strncmp(v, "name=", 5) != 0) {
		cli_errorf("ls: --filter: '%s' is not name=TEXT", v);
		return CLI_USAGE;
	}
	o->name_filter = v + 5;
	return CLI_OK;
}

#define O struct ls_opts
static const struct cli_opt ls_opts_v[] = {
	CLI_FLAG('a', "all", O, all, "also projects that are all stopped"),
	CLI_FN(0,
	       "filter",
	       ls_filter,
	       "name=TEXT",
	       "only names that contain TEXT"),
	CLI_FORMAT(O, format, "table|json", "output format (default table)"),
	CLI_FLAG('q', "quiet", O, quiet, "only the project names"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_ls = {
	.name = "ls",
	.summary = "list the compose projects on every daemon",
	.desc = "List the compose projects running on the daemons of the "
		"daemon map.",
	.opts = ls_opts_v,
};

static int ls_parse(struct ls_opts *o, int argc, char **argv)
{
	int n, rc = cli_opt_parse(&cli_spec_ls, o, argc, argv, &n);

	o->json = o->format && !strcmp(o->format, "json");
	return rc;
}

static const char *kv_get(const struct engine_kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (kv[i].key && !strcmp(kv[i].key, key))
			return kv[i].value;
	return NULL;
}

static bool is_up(const char *state)
{
	return !strcmp(state, "running") || !strcmp(state, "paused") ||
	       !strcmp(state, "restarting");
}

static void list_done(void *ud,
		      int rc,
		      const struct engine_container_list *list,
		      const struct diag *err)
{
	struct ls_job *j = ud;

	for (size_t i = 0; !rc && i < list->n; i++) {
		const struct engine_container_summary *cs = &list->items[i];
		const char *p =
			kv_get(cs->labels, cs->n_labels, LS_LABEL_PROJECT);
		const char *f =
			kv_get(cs->labels, cs->n_labels, LS_LABEL_FILES);

		/* Without --all, compose lists running containers only. */
		if (!p || (!j->o->all && !is_up(cs->state)))
			continue;
		if (j->o->name_filter && !strstr(p, j->o->name_filter))
			continue;
		ALLOC_GROW(*j->items, *j->n + 1, *j->alloc);
		(*j->items)[(*j->n)++] =
			(struct ls_item){xstrdup(p), xstrdup(cs->state),
					 xstrdup(f ? f : ""), j->t->h->name};
	}
	cli_task_done(j->t, rc, err);
}

static void
ls_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	static const struct engine_kv fkv = {"label", LS_LABEL_PROJECT};
	static const struct engine_filters filters = {&fkv, 1};

	engine_container_list_async(l, e, &filters, list_done, t->ud);
}

/* One row: a project with what every daemon said about it. */
struct ls_row {
	const char *name;
	char *status;
	struct sbuf files;
	struct sbuf daemons;
};

static int cmp_item(const void *pa, const void *pb)
{
	const struct ls_item *a = pa, *b = pb;
	int r = strcmp(a->project, b->project);

	/* Daemons in name order: qsort keeps no order of its own. */
	return r ? r : strcmp(a->daemon, b->daemon);
}

/* Appends 'word' to the comma list 'sb' unless it is there already. */
static void add_unique(struct sbuf *sb, const char *word)
{
	size_t n = strlen(word);

	if (!n)
		return;
	for (const char *p = sb->buf; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !strncmp(p, word, n))
			return;
		p = end ? end + 1 : NULL;
	}
	sbuf_addf(sb, "%s%s", sb->len ? "," : "", word);
}

static size_t ls_rows(struct ls_row **out, struct ls_item *v, size_t n)
{
	struct ls_row *rows = xcalloc(n + 1, sizeof(*rows));
	const char **states = xcalloc(n + 1, sizeof(*states));
	size_t nr = 0;

	qsort(v, n, sizeof(*v), cmp_item);
	for (size_t i = 0; i < n;) {
		struct ls_row *r = &rows[nr++];
		size_t j = i;

		r->name = v[i].project;
		sbuf_init(&r->files);
		sbuf_init(&r->daemons);
		for (; j < n && !strcmp(v[j].project, v[i].project); j++) {
			states[j - i] = v[j].state;
			/* A project's containers share one label value. */
			add_unique(&r->files, v[j].files);
			add_unique(&r->daemons, v[j].daemon);
		}
		r->status = cli_ls_status(states, j - i);
		i = j;
	}
	free(states);
	*out = rows;
	return nr;
}

static void
ls_print(const struct ls_row *rows, size_t n, const struct ls_opts *o)
{
	static const char *const heads[] = {"NAME", "STATUS", "CONFIG FILES",
					    "DAEMONS"};
	struct sbuf sb = SBUF_INIT;

	if (o->quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", rows[i].name);
	} else if (o->json) {
		struct json *v = json_array_new();

		for (size_t i = 0; i < n; i++) {
			struct json *it = json_add_object(v, NULL);

			json_add_str(it, "Name", rows[i].name);
			json_add_str(it, "Status", rows[i].status);
			json_add_str(it, "ConfigFiles", rows[i].files.buf);
			json_add_str(it, "Daemons", rows[i].daemons.buf);
		}
		json_write_free(&sb, v, 0);
	} else {
		char **cells = xcalloc(4 * n + 1, sizeof(*cells));

		for (size_t i = 0; i < n; i++) {
			cells[4 * i] = (char *)rows[i].name;
			cells[4 * i + 1] = rows[i].status;
			cells[4 * i + 2] =
				rows[i].files.len ? rows[i].files.buf : "";
			cells[4 * i + 3] = rows[i].daemons.buf;
		}
		cli_table_write(&sb, heads, 4, cells, n, 3, 20);
		free(cells);
	}
	if (sb.len)
		fputs(sb.buf, stdout);
	sbuf_release(&sb);
}

/* Lists every reachable daemon at once, through the runner. */
static int ls_collect(struct cli_session *s,
		      const struct ls_opts *o,
		      struct ls_item **items,
		      size_t *n)
{
	struct ls_job *jobs = xcalloc(s->n_hosts + 1, sizeof(*jobs));
	struct cli_task *t = xcalloc(s->n_hosts + 1, sizeof(*t));
	struct cli_tasks_opts to = {0};
	size_t nt = 0, alloc = 0;
	int rc;

	for (size_t i = 0; i < s->n_hosts; i++) {
		if (s->hosts[i].offline)
			continue; /* said by the session */
		jobs[nt] = (struct ls_job){&t[nt], items, n, &alloc, o};
		t[nt] = (struct cli_task){.h = &s->hosts[i],
					  .what = "projects",
					  .start = ls_start,
					  .ud = &jobs[nt]};
		nt++;
	}
	rc = cli_tasks_run(s, t, nt, &to);
	free(t);
	free(jobs);
	return rc;
}

int cmd_ls(int argc, char **argv)
{
	struct ls_opts o = {0};
	struct cli_session s;
	struct ls_item *items = NULL;
	struct ls_row *rows = NULL;
	size_t n = 0, nr = 0;
	int rc = ls_parse(&o, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	/* The project's file may declare daemons; ls needs no project. */
	rc = cli_session_open(&s, CLI_SESSION_DAEMONS | CLI_SESSION_QUIET);
	if (!rc) {
		rc = ls_collect(&s, &o, &items, &n);
		/* What the daemons that answered have, whatever the others. */
		nr = ls_rows(&rows, items, n);
		ls_print(rows, nr, &o);
	}
	for (size_t i = 0; i < nr; i++) {
		free(rows[i].status);
		sbuf_release(&rows[i].files);
		sbuf_release(&rows[i].daemons);
	}
	for (size_t i = 0; i < n; i++) {
		free(items[i].project);
		free(items[i].state);
		free(items[i].files);
	}
	free(rows);
	free(items);
	cli_session_close(&s);
	return rc;
}
