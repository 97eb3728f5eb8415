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

/* One running container whose hosts file may need the block. */
struct sync_job {
	const struct plan_container *ct;
	const struct plan_host *h;
	struct engine *e;
	bool need; /* write the block */
	const char *why;
	int rc;
	int exit_code;
	char *output; /* phase 1: the current hosts file */
	struct diag err;
	bool archived; /* written through the archive API */
};

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

static void exec_done(void *ud,
		      int rc,
		      int exit_code,
		      const char *output,
		      size_t len,
		      const struct diag *err)
{
	struct sync_job *j = ud;

	j->rc = rc;
	j->exit_code = exit_code;
	if (rc && err)
		j->err = *err;
	free(j->output);
	j->output = output ? xstrndup(output, len) : NULL;
}

static size_t sync_jobs(struct sync_job **out,
			struct cli_session *s,
			const struct plan *p,
			char *const *services,
			size_t n)
{
	struct sync_job *v = xcalloc(p->n_containers + 1, sizeof(*v));
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
		v[nj].h = h;
		v[nj].e = cli_session_engine(s, h);
		if (!v[nj].e)
			continue;
		if (ct->hosts_mech == PLAN_HOSTS_EXEC) {
			v[nj].need = true;
			v[nj].why = "its engine ignores ExtraHosts";
		} else if (has_late(ct)) {
			v[nj].need = true;
			v[nj].why = "an address is known only after start";
		}
		nj++;
	}
	*out = v;
	return nj;
}

/* Phase 1: read the hosts files of the ExtraHosts containers. */
static void sync_check(struct sync_job *v, size_t nj)
{
	static const char *const cat[] = {"cat", PLAN_HOSTS_PATH_LINUX, NULL};
	struct engine_exec_spec spec = {.argv = {cat, 2}};
	struct engine_loop *l = engine_loop_new();

	for (size_t i = 0; i < nj; i++)
		if (!v[i].need)
			engine_exec_run_async(l, v[i].e, v[i].ct->existing_id,
					      &spec, exec_done, &v[i]);
	engine_loop_run(l, -1);
	engine_loop_free(l);
	for (size_t i = 0; i < nj; i++) {
		if (v[i].need)
			continue;
		if (v[i].rc || v[i].exit_code) {
			v[i].need = true;
			v[i].why = "its hosts file could not be read";
		} else if (missing_entry(v[i].ct, v[i].output)) {
			v[i].need = true;
			v[i].why = "its hosts file lacks a peer";
		}
	}
}

static int sync_report(const struct sync_job *v, size_t nj, bool quiet)
{
	int rc = CLI_OK;

	for (size_t i = 0; i < nj; i++) {
		const char *name = v[i].ct->name, *d = v[i].h->name;

		if (!v[i].need) {
			if (!quiet)
				printf("%s (%s): up to date\n", name, d);
		} else if (v[i].rc) {
			cli_error(&v[i].err);
			rc = CLI_FAIL;
		} else if (v[i].exit_code) {
			cli_errorf("%s (%s): the hosts command exited with %d: "
				   "%s",
				   name, d, v[i].exit_code,
				   v[i].output ? v[i].output : "");
			rc = CLI_FAIL;
		} else if (!quiet) {
			printf("%s (%s): hosts block written%s (%s)\n", name, d,
			       v[i].archived ? " through the archive API" : "",
			       v[i].why);
		}
	}
	return rc;
}

static void edit_done(void *ud, int rc, const struct diag *err)
{
	struct sync_job *j = ud;

	j->archived = !rc;
	if (rc && !engine_file_edit_refused(rc)) {
		j->rc = rc;
		j->err = *err;
	}
}

/*
 * Phase 2a: a Windows container's file through the archive API, with the
 * same merge as before a start (a process-isolated container allows it
 * while running; a running Hyper-V one refuses, and exec does it then).
 */
static void sync_archive(struct sync_job *v, size_t nj)
{
	struct engine_loop *l = engine_loop_new();

	for (size_t i = 0; i < nj; i++)
		if (v[i].need && v[i].ct->hosts_mech == PLAN_HOSTS_EXEC &&
		    v[i].ct->hosts_block)
			engine_container_file_edit_async(
				l, v[i].e, v[i].ct->existing_id,
				PLAN_HOSTS_ARCHIVE_DIR_WINDOWS,
				PLAN_HOSTS_ARCHIVE_NAME, apply_hosts_merge_edit,
				(void *)v[i].ct->hosts_block, edit_done, &v[i]);
	engine_loop_run(l, -1);
	engine_loop_free(l);
}

int cli_hosts_sync(struct cli_session *s,
		   struct plan *p,
		   char *const *services,
		   size_t n,
		   bool quiet)
{
	struct sync_job *v = NULL;
	struct engine_loop *l;
	size_t nj;
	int rc = real_addresses(p, s);

	if (rc)
		return rc;
	nj = sync_jobs(&v, s, p, services, n);
	sync_check(v, nj);
	sync_archive(v, nj);
	l = engine_loop_new();
	for (size_t i = 0; i < nj; i++) {
		struct engine_exec_spec spec = {
			.argv = {v[i].ct->hosts_exec.v, v[i].ct->hosts_exec.n},
			.user = v[i].ct->hosts_exec_user,
		};

		if (!v[i].need || v[i].archived || v[i].rc)
			continue;
		v[i].rc = v[i].exit_code = 0;
		engine_exec_run_async(l, v[i].e, v[i].ct->existing_id, &spec,
				      exec_done, &v[i]);
	}
	engine_loop_run(l, -1);
	engine_loop_free(l);
	rc = sync_report(v, nj, quiet);
	for (size_t i = 0; i < nj; i++)
		free(v[i].output);
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
