/*
 * mixcompose hosts: what every name of the project resolves to from each
 * daemon, and --sync, which writes the hosts block again in the running
 * containers that need it (there is no DNS across daemons).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/arena.h"
#include "util/xalloc.h"

/*
 * One running container whose hosts file may need the block: three
 * tasks, one per wave (read the file, write it through the archive
 * API, write it by exec), each skipped unless the one before asks.
 */
struct sync_job {
	const struct plan_container *ct;
	struct cli_task *t; /* t[SYNC_READ..SYNC_EXEC] */
	bool need;	    /* write the block */
	const char *why;
	char *output;  /* the read: the current hosts file */
	bool archived; /* written through the archive API */
};

enum { SYNC_READ, SYNC_ARCHIVE, SYNC_EXEC, SYNC_WAVES };

/* The state container with that id, and its host. */
static const struct plan_host_container *
state_find(const struct cli_session *s,
	   const char *id,
	   const struct plan_host **host)
{
	for (size_t h = 0; id && h < s->n_hosts; h++)
		for (size_t c = 0; c < s->hosts[h].n_containers; c++)
			if (!strcmp(s->hosts[h].containers[c].id, id)) {
				*host = &s->hosts[h];
				return &s->hosts[h].containers[c];
			}
	return NULL;
}

/*
 * The plan's addresses are what it would ask for; a running container has
 * the one it got.  Peers must see the real one (a peer recreated with a
 * new address is the reason to sync at all).
 */
static int real_addresses(struct plan *p, const struct cli_session *s)
{
	struct diag err = {0};

	for (size_t ci = 0; ci < p->n_containers; ci++) {
		const struct plan_container *ct = &p->containers[ci];
		const struct plan_host *h;
		const struct plan_host_container *sc =
			state_find(s, ct->existing_id, &h);

		for (size_t k = 0;
		     sc && ct->action != PLAN_ACT_REMOVE && k < sc->n_networks;
		     k++) {
			const struct plan_host_attach *at = &sc->networks[k];
			bool mine = false, same = false;

			for (size_t e = 0; e < ct->n_endpoints; e++) {
				const struct plan_endpoint *ep =
					&ct->endpoints[e];

				if (strcmp(p->networks[ep->network].name,
					   at->network) != 0)
					continue;
				mine = true;
				same = ep->ipv4 && at->ipv4 &&
				       !strcmp(ep->ipv4, at->ipv4);
			}
			if (!mine || same || !at->ipv4 || !*at->ipv4)
				continue;
			if (plan_set_address(p, ci, at->network, at->ipv4,
					     &err)) {
				cli_error(&err);
				return CLI_FAIL;
			}
		}
	}
	return CLI_OK;
}

bool cli_hosts_file_has(const char *file, const char *ip, const char *name)
{
	size_t nl = strlen(name), il = strlen(ip);

	for (const char *l = file; l && *l;) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);
		const char *hash = memchr(l, '#', len);

		if (hash)
			len = (size_t)(hash - l);
		if (len > il && !strncmp(l, ip, il) &&
		    (l[il] == ' ' || l[il] == '\t')) {
			for (const char *w = l + il; w < l + len;) {
				size_t wl;

				w += strspn(w, " \t");
				wl = strcspn(w, " \t\n#");
				if (wl == nl && !strncmp(w, name, nl))
					return true;
				w += wl ? wl : 1;
			}
		}
		l = end ? end + 1 : NULL;
	}
	return false;
}

static const char *missing_entry(const struct plan_container *ct,
				 const char *file)
{
	for (size_t i = 0; i < ct->n_extra_hosts; i++) {
		const struct plan_host_entry *e = &ct->extra_hosts[i];

		if (!e->late && e->ip &&
		    !cli_hosts_file_has(file, e->ip, e->name))
			return e->name;
	}
	return NULL;
}

static bool has_late(const struct plan_container *ct)
{
	for (size_t i = 0; i < ct->n_extra_hosts; i++)
		if (ct->extra_hosts[i].late)
			return true;
	return false;
}

/* The read: no answer or no file means the block is written anyway. */
static void read_done(struct sync_job *j,
		      int rc,
		      int exit_code,
		      const char *output,
		      size_t len)
{
	free(j->output);
	j->output = xstrndup(output ? output : "", output ? len : 0);
	if (rc || exit_code) {
		j->need = true;
		j->why = "its hosts file could not be read";
	} else if (missing_entry(j->ct, j->output)) {
		j->need = true;
		j->why = "its hosts file lacks a peer";
	}
	j->t[SYNC_EXEC].skip = !j->need;
	cli_task_done(&j->t[SYNC_READ], 0, NULL);
}

/* Both execs end here: the read (SYNC_READ) and the write (SYNC_EXEC). */
static void exec_done(void *ud,
		      int rc,
		      int exit_code,
		      const char *output,
		      size_t len,
		      const struct diag *err)
{
	struct cli_task *t = ud;
	struct sync_job *j = t->ud;
	struct diag e = {0};

	if (t->level == SYNC_READ) {
		read_done(j, rc, exit_code, output, len);
		return;
	}
	if (!rc && exit_code) {
		rc = DIAG_EENGINE;
		diag_set(&e, DIAG_EENGINE, NULL,
			 "the hosts command exited with %d: %.*s", exit_code,
			 (int)(len > 400 ? 400 : len), output ? output : "");
		err = &e;
	}
	cli_task_done(t, rc, err);
}

static void edit_done(void *ud, int rc, const struct diag *err)
{
	struct sync_job *j = ud;

	/* A running Hyper-V container refuses: exec writes it then. */
	j->archived = !rc;
	j->t[SYNC_EXEC].skip = j->archived || !engine_file_edit_refused(rc);
	if (rc && engine_file_edit_refused(rc))
		rc = 0;
	cli_task_done(&j->t[SYNC_ARCHIVE], rc, err);
}

static void
read_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	static const char *const cat[] = {"cat", PLAN_HOSTS_PATH_LINUX, NULL};
	struct engine_exec_spec spec = {.argv = {cat, 2}};

	engine_exec_run_async(l, e, t->ref, &spec, exec_done, t);
}

/*
 * A Windows container's file through the archive API, with the same
 * merge as before a start (a process-isolated container allows it while
 * running).
 */
static void
archive_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	struct sync_job *j = t->ud;

	engine_container_file_edit_async(
		l, e, t->ref, PLAN_HOSTS_ARCHIVE_DIR_WINDOWS,
		PLAN_HOSTS_ARCHIVE_NAME, apply_hosts_merge_edit,
		(void *)j->ct->hosts_block, edit_done, j);
}

static void
exec_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	struct sync_job *j = t->ud;
	struct engine_exec_spec spec = {
		.argv = {j->ct->hosts_exec.v, j->ct->hosts_exec.n},
		.user = j->ct->hosts_exec_user,
	};

	engine_exec_run_async(l, e, t->ref, &spec, exec_done, t);
}

/* The three tasks of a container, the first waves' skips decided. */
static void
sync_tasks(struct sync_job *j, const struct plan_host *h, struct cli_task *t)
{
	static cli_task_start_fn *const start[SYNC_WAVES] = {
		read_start, archive_start, exec_start};
	const struct plan_container *ct = j->ct;

	if (ct->hosts_mech == PLAN_HOSTS_EXEC) {
		j->need = true;
		j->why = "its engine ignores ExtraHosts";
	} else if (has_late(ct)) {
		j->need = true;
		j->why = "an address is known only after start";
	}
	for (int k = 0; k < SYNC_WAVES; k++)
		t[k] = (struct cli_task){.h = h,
					 .what = ct->name,
					 .start = start[k],
					 .ref = ct->existing_id,
					 .ud = j,
					 .level = k};
	t[SYNC_READ].skip = j->need;
	t[SYNC_ARCHIVE].skip = !(j->need && ct->hosts_mech == PLAN_HOSTS_EXEC &&
				 ct->hosts_block);
	t[SYNC_EXEC].skip = !j->need;
	j->t = t;
}

static size_t sync_jobs(struct sync_job **out,
			struct cli_task **tasks,
			const struct cli_session *s,
			const struct plan *p,
			char *const *services,
			size_t n)
{
	struct sync_job *v = xcalloc(p->n_containers + 1, sizeof(*v));
	struct cli_task *t =
		xcalloc(SYNC_WAVES * p->n_containers + 1, sizeof(*t));
	size_t nj = 0;

	for (size_t ci = 0; ci < p->n_containers; ci++) {
		const struct plan_container *ct = &p->containers[ci];
		const struct plan_host *h;
		const struct plan_host_container *sc =
			state_find(s, ct->existing_id, &h);

		if (!sc || ct->action == PLAN_ACT_REMOVE ||
		    ct->hosts_mech == PLAN_HOSTS_NONE || !sc->state ||
		    strcmp(sc->state, "running") != 0 ||
		    !cli_names_has(services, n, ct->service_name))
			continue;
		v[nj].ct = ct;
		sync_tasks(&v[nj], h, &t[SYNC_WAVES * nj]);
		nj++;
	}
	*out = v;
	*tasks = t;
	return nj;
}

/* A line per container that went well (failures: the runner's). */
static void sync_report(const struct sync_job *v, size_t nj)
{
	for (size_t i = 0; i < nj; i++) {
		const struct cli_task *t = v[i].t;

		if (t[SYNC_ARCHIVE].rc || t[SYNC_EXEC].rc ||
		    t[SYNC_EXEC].unreachable || t[SYNC_READ].unreachable ||
		    t[SYNC_ARCHIVE].unreachable)
			continue;
		if (!v[i].need)
			printf("%s (%s): up to date\n", t->what, t->h->name);
		else
			printf("%s (%s): hosts block written%s (%s)\n", t->what,
			       t->h->name,
			       v[i].archived ? " through the archive API" : "",
			       v[i].why);
	}
}

int cli_hosts_sync(struct cli_session *s,
		   struct plan *p,
		   char *const *services,
		   size_t n,
		   bool quiet)
{
	struct cli_tasks_opts to = {0};
	struct sync_job *v = NULL;
	struct cli_task *t = NULL;
	size_t nj;
	int rc = real_addresses(p, s);

	if (rc)
		return rc;
	nj = sync_jobs(&v, &t, s, p, services, n);
	rc = cli_tasks_run(s, t, SYNC_WAVES * nj, &to);
	if (!quiet)
		sync_report(v, nj);
	for (size_t i = 0; i < nj; i++)
		free(v[i].output);
	free(t);
	free(v);
	return rc;
}

static void hosts_json(struct sbuf *sb, const struct plan *p)
{
	struct json *root = json_object_new();
	struct json *names;

	json_add_str(root, "project", p->project_name);
	names = json_add_array(root, "names");
	for (size_t i = 0; i < p->n_hosts_table; i++) {
		const struct plan_hosts_row *r = &p->hosts_table[i];
		struct json *it = json_add_object(names, NULL);
		struct json *from;

		json_add_str(it, "name", r->name);
		json_add_str(it, "kind", r->kind);
		json_add_str(it, "container", p->containers[r->container].name);
		json_add_str(it, "network", r->network);
		from = json_add_object(it, "from");
		for (size_t d = 0; d < p->n_hosts; d++) {
			struct json *f =
				json_add_object(from, p->hosts[d].name);

			json_add_str(f, "address", r->addr[d]);
			json_add_str(f, "via", r->via[d] ? r->via[d] : "");
		}
	}
	json_write_free(sb, root, 2);
}

struct hosts_opts {
	const char *format;
	bool sync;
};

static const struct cli_opt hosts_opts_v[] = {
	CLI_FORMAT(struct hosts_opts,
		   format,
		   "text|json",
		   "output format (default text)"),
	CLI_FLAG(0,
		 "sync",
		 struct hosts_opts,
		 sync,
		 "write the hosts block again in the\n"
		 "running containers that need it"),
	CLI_OPT_END,
};

const struct cli_spec cli_spec_hosts = {
	.name = "hosts",
	.summary = "print the names and addresses; --sync",
	.desc = "Print every name of the project (services, aliases, "
		"container\n"
		"names) and the address it resolves to from each daemon.",
	.opts = hosts_opts_v,
};

static int hosts_parse(bool *json, bool *sync, int argc, char **argv)
{
	struct hosts_opts o = {.format = "text"};
	int n, rc = cli_opt_parse(&cli_spec_hosts, &o, argc, argv, &n);

	*json = !strcmp(o.format, "json");
	*sync = o.sync;
	return rc;
}

int cmd_hosts(int argc, char **argv)
{
	bool json = false, sync = false;
	struct plan *plan = NULL;
	struct sbuf sb = SBUF_INIT;
	struct cli_session s;
	int rc = hosts_parse(&json, &sync, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_plan_open(&s, false);
	if (!rc && sync && !s.reachable) {
		cli_errorf("hosts: --sync needs a reachable daemon");
		rc = CLI_FAIL;
	}
	if (!rc)
		rc = cli_plan_make(&plan, &s, NULL, false);
	if (!rc && sync)
		rc = cli_hosts_sync(&s, plan, NULL, 0, false);
	else if (!rc && s.reachable)
		rc = real_addresses(plan, &s);
	if (!rc && !sync) {
		if (json)
			hosts_json(&sb, plan);
		else
			plan_hosts_describe(&sb, plan);
		fputs(sb.buf, stdout);
	}
	sbuf_release(&sb);
	plan_free(plan);
	cli_session_close(&s);
	return rc;
}
