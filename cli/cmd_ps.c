/*
 * mixcompose ps: the project's containers on every daemon, with the
 * daemon, the platform it plays, and the address peers reach it at.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/json.h"
#include "util/xalloc.h"

struct ps_opts {
	const char *format;
	bool json;
	bool all;
	bool quiet;
	bool services;
	bool no_trunc;	 /* --no-trunc: whole IDs and commands */
	bool no_orphans; /* --orphans=false: declared services only */
	const struct compose_project *project; /* for --orphans=false */
	char **names;
	size_t n_names;
	/* --status S (repeatable) and --filter status=S: any of these. */
	const char **status;
	size_t n_status, status_alloc;
};

/* One row of the table, pointing into the session. */
struct ps_row {
	const struct plan_host *h;
	const struct plan_host_container *c;
	const struct apply_container_ext *x; /* may be NULL */
};

/* ---- Pure formatting (unit-tested) --------------------------------------- */

static int cmp_port(const void *pa, const void *pb)
{
	const struct engine_port *a = pa, *b = pb;
	int r = strcmp(a->ip ? a->ip : "", b->ip ? b->ip : "");

	if (!r)
		r = strcmp(a->type ? a->type : "tcp",
			   b->type ? b->type : "tcp");
	if (!r)
		r = (a->private_port > b->private_port) -
		    (a->private_port < b->private_port);
	if (!r)
		r = (a->public_port > b->public_port) -
		    (a->public_port < b->public_port);
	return r;
}

static bool same_group(const struct engine_port *a, const struct engine_port *b)
{
	return !strcmp(a->ip ? a->ip : "", b->ip ? b->ip : "") &&
	       !strcmp(a->type ? a->type : "tcp", b->type ? b->type : "tcp");
}

/* "[ip:]pub[-pub2]->priv[-priv2]/type" or "priv[-priv2]/type". */
static void
port_run(struct sbuf *out, const struct engine_port *p, unsigned span)
{
	const char *ip = p->ip && *p->ip ? p->ip : NULL;

	if (p->public_port) {
		/* As the docker CLI: "::" shows as ":::8080". */
		if (ip)
			sbuf_addf(out, "%s:", ip);
		sbuf_addf(out, "%u", p->public_port);
		if (span)
			sbuf_addf(out, "-%u", p->public_port + span);
		sbuf_adds(out, "->");
	}
	sbuf_addf(out, "%u", p->private_port);
	if (span)
		sbuf_addf(out, "-%u", p->private_port + span);
	sbuf_addf(out, "/%s", p->type && *p->type ? p->type : "tcp");
}

void cli_ps_ports(struct sbuf *out, const struct engine_port *ports, size_t n)
{
	struct engine_port *v = xcalloc(n + 1, sizeof(*v));
	size_t i = 0;

	if (n)
		memcpy(v, ports, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_port);
	while (i < n) {
		unsigned span = 0;
		size_t j = i + 1;

		/* Consecutive ports mapped to consecutive ports are one run. */
		for (; j < n && same_group(&v[i], &v[j]) &&
		       v[j].private_port == v[i].private_port + span + 1 &&
		       (v[i].public_port ? v[j].public_port ==
						   v[i].public_port + span + 1
					 : !v[j].public_port);
		     j++)
			span++;
		if (out->len)
			sbuf_adds(out, ", ");
		port_run(out, &v[i], span);
		i = j;
	}
	free(v);
}

const char *cli_ps_address(const struct plan_host *h,
			   const struct plan_host_container *c,
			   const char *project)
{
	for (size_t i = 0; i < c->n_networks; i++) {
		const struct plan_host_attach *at = &c->networks[i];

		if (!at->ipv4 || !*at->ipv4)
			continue;
		for (size_t k = 0; k < h->n_networks; k++)
			if (!strcmp(h->networks[k].name, at->network) &&
			    h->networks[k].label_project &&
			    !strcmp(h->networks[k].label_project, project))
				return at->ipv4;
	}
	for (size_t i = 0; i < c->n_networks; i++)
		if (c->networks[i].ipv4 && *c->networks[i].ipv4)
			return c->networks[i].ipv4;
	return "";
}

void cli_ps_platform(struct sbuf *out, const struct plan_host *h)
{
	sbuf_adds(out, h->os ? h->os : "?");
	if (h->arch && *h->arch)
		sbuf_addf(out, "/%s", h->arch);
	if (h->lab)
		sbuf_adds(out, " (stand-in)");
}

/* ---- The command ------------------------------------------------------- */

static bool is_up(const char *state)
{
	return state &&
	       (!strcmp(state, "running") || !strcmp(state, "restarting") ||
		!strcmp(state, "paused"));
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct ps_row *a = pa, *b = pb;
	int r = strcmp(a->c->name, b->c->name);

	return r ? r : strcmp(a->h->name, b->h->name);
}

static bool row_wanted(const struct plan_host_container *pc,
		       const struct ps_opts *o)
{
	if (!cli_names_has(o->names, o->n_names, pc->service))
		return false;
	/* compose v2: --orphans=false lists the declared services only. */
	if (o->no_orphans && o->project && !o->n_names &&
	    (!pc->service || !compose_service_find(o->project, pc->service)))
		return false;
	/* compose v2: a status filter looks at stopped containers too. */
	if (o->n_status) {
		for (size_t i = 0; i < o->n_status; i++)
			if (pc->state && !strcmp(pc->state, o->status[i]))
				return o->all || !pc->oneoff;
		return false;
	}
	return o->all || (!pc->oneoff && is_up(pc->state));
}

static size_t collect_rows(struct ps_row **out,
			   const struct cli_session *s,
			   const struct ps_opts *o)
{
	size_t total = 0, n = 0;
	struct ps_row *rows;

	for (size_t h = 0; h < s->n_hosts; h++)
		total += s->hosts[h].n_containers;
	rows = xcalloc(total + 1, sizeof(*rows));
	for (size_t h = 0; h < s->n_hosts; h++)
		for (size_t c = 0; c < s->hosts[h].n_containers; c++) {
			struct ps_row *r = &rows[n];

			r->h = &s->hosts[h];
			r->c = &s->hosts[h].containers[c];
			r->x = s->ext[h] ? &s->ext[h][c] : NULL;
			n += row_wanted(r->c, o);
		}
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_row);
	*out = rows;
	return n;
}

enum {
	COL_NAME,
	COL_DAEMON,
	COL_PLATFORM,
	COL_COMMAND,
	COL_SERVICE,
	COL_STATUS,
	COL_PORTS,
	COL_ADDRESS,
	N_COLS
};

static const char *const col_names[N_COLS] = {
	"NAME",	   "DAEMON", "PLATFORM", "COMMAND",
	"SERVICE", "STATUS", "PORTS",	 "ADDRESS",
};

void cli_ps_command(struct sbuf *out, const char *command, bool trunc)
{
	const char *s = command ? command : "";
	size_t runes = 0, cut = strlen(s);

	/* docker's Ellipsis(command, 20): 19 characters and "…". */
	for (const char *p = s; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80 && ++runes == 20)
			cut = (size_t)(p - s);
	if (!trunc || runes <= 20)
		cut = strlen(s);
	sbuf_addch(out, '"');
	for (size_t i = 0; i < cut; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			sbuf_addf(out, "\\%c", ch);
		else if (ch == '\n')
			sbuf_adds(out, "\\n");
		else if (ch == '\t')
			sbuf_adds(out, "\\t");
		else if (ch < 0x20 || ch == 0x7f)
			sbuf_addf(out, "\\x%02x", ch);
		else
			sbuf_addch(out, (char)ch);
	}
	if (cut < strlen(s))
		sbuf_adds(out, "\u2026");
	sbuf_addch(out, '"');
}

static void row_cells(char *cells[N_COLS],
		      const struct ps_row *r,
		      const char *project,
		      bool trunc)
{
	struct sbuf sb = SBUF_INIT;
	const char *st = r->x && r->x->status && *r->x->status ? r->x->status
							       : r->c->state;

	cells[COL_NAME] = xstrdup(r->c->name);
	cells[COL_DAEMON] = xstrdup(r->h->name);
	cli_ps_platform(&sb, r->h);
	cells[COL_PLATFORM] = sbuf_detach(&sb, NULL);
	cli_ps_command(&sb, r->x ? r->x->command : NULL, trunc);
	cells[COL_COMMAND] = sbuf_detach(&sb, NULL);
	cells[COL_SERVICE] = xstrdup(r->c->service ? r->c->service : "");
	cells[COL_STATUS] = xstrdup(st ? st : "");
	if (r->x)
		cli_ps_ports(&sb, r->x->ports, r->x->n_ports);
	cells[COL_PORTS] = sbuf_detach(&sb, NULL);
	cells[COL_ADDRESS] = xstrdup(cli_ps_address(r->h, r->c, project));
}

/* Characters, not bytes: a cut command ends with a 3-byte "…". */
static size_t cell_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void print_cell(const char *s, size_t width, bool last)
{
	if (last)
		printf("%s\n", s);
	else
		printf("%s%*s   ", s, (int)(width - cell_width(s)), "");
}

static void print_table(const struct ps_row *rows,
			size_t n,
			const char *project,
			bool trunc)
{
	char *(*cells)[N_COLS] = xcalloc(n + 1, sizeof(*cells));
	size_t w[N_COLS];

	for (size_t k = 0; k < N_COLS; k++)
		w[k] = strlen(col_names[k]);
	for (size_t i = 0; i < n; i++) {
		row_cells(cells[i], &rows[i], project, trunc);
		for (size_t k = 0; k < N_COLS; k++)
			if (cell_width(cells[i][k]) > w[k])
				w[k] = cell_width(cells[i][k]);
	}
	for (size_t k = 0; k < N_COLS; k++)
		print_cell(col_names[k], w[k], k + 1 == N_COLS);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < N_COLS; k++) {
			print_cell(cells[i][k], w[k], k + 1 == N_COLS);
			free(cells[i][k]);
		}
	free(cells);
}

static void json_publishers(struct json *row, const struct ps_row *r)
{
	struct json *v = json_add_array(row, "Publishers");

	for (size_t i = 0; r->x && i < r->x->n_ports; i++) {
		const struct engine_port *p = &r->x->ports[i];
		struct json *it = json_add_object(v, NULL);

		json_add_str(it, "URL", p->ip ? p->ip : "");
		json_add_int(it, "TargetPort", p->private_port);
		json_add_int(it, "PublishedPort", p->public_port);
		json_add_str(it, "Protocol", p->type ? p->type : "tcp");
	}
}

/* "Exited (137) 2 minutes ago" -> 137; anything else 0, as compose. */
static int exit_code(const char *status)
{
	if (!status || strncmp(status, "Exited (", 8) != 0)
		return 0;
	return (int)strtol(status + 8, NULL, 10);
}

/* Compose's "Networks": the names joined with commas. */
static void json_networks(struct json *row, const struct plan_host_container *c)
{
	struct sbuf names = SBUF_INIT;

	for (size_t i = 0; i < c->n_networks; i++)
		sbuf_addf(&names, "%s%s", i ? "," : "", c->networks[i].network);
	json_add_str(row, "Networks", names.buf);
	sbuf_release(&names);
}

static const char *health_of(const struct ps_row *r)
{
	const char *st = r->x ? r->x->status : NULL;

	if (st && strstr(st, "(healthy)"))
		return "healthy";
	if (st && strstr(st, "(unhealthy)"))
		return "unhealthy";
	if (st && strstr(st, "(health: starting)"))
		return "starting";
	return "";
}

static void json_row(struct json *v,
		     const struct ps_row *r,
		     const char *project,
		     bool trunc)
{
	struct json *row = json_add_object(v, NULL);
	char *cells[N_COLS];
	char id[16];

	row_cells(cells, r, project, trunc);
	/* compose v2's {{json .}}: a 12-digit ID unless --no-trunc. */
	snprintf(id, sizeof(id), "%.12s", r->c->id ? r->c->id : "");
	json_add_str(row, "ID", trunc ? id : r->c->id ? r->c->id : "");
	json_add_str(row, "Name", r->c->name ? r->c->name : "");
	json_add_str(row, "Image", r->x && r->x->image ? r->x->image : "");
	json_add_str(row, "Command", cells[COL_COMMAND]);
	json_add_str(row, "Project", project ? project : "");
	json_add_str(row, "Service", r->c->service ? r->c->service : "");
	json_add_str(row, "State", r->c->state ? r->c->state : "");
	json_add_str(row, "Status", cells[COL_STATUS]);
	json_add_str(row, "Health", health_of(r));
	json_add_int(row, "ExitCode", exit_code(r->x ? r->x->status : NULL));
	json_networks(row, r->c);
	json_publishers(row, r);
	json_add_str(row, "Ports", cells[COL_PORTS]);
	json_add_str(row, "Daemon", r->h->name);
	json_add_str(row, "Platform", cells[COL_PLATFORM]);
	json_add_str(row, "Address", cells[COL_ADDRESS]);
	for (size_t k = 0; k < N_COLS; k++)
		free(cells[k]);
}

static void
print_json(const struct ps_row *rows, size_t n, const char *project, bool trunc)
{
	struct json *v = json_array_new();

	for (size_t i = 0; i < n; i++)
		json_row(v, &rows[i], project, trunc);
	cli_json_print(v, 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_services(const struct ps_row *rows, size_t n)
{
	const char **v = xcalloc(n + 1, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = rows[i].c->service ? rows[i].c->service : "";
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(v[i], v[i - 1]) != 0)
			printf("%s\n", v[i]);
	free(v);
}

static int ps_status(void *obj, const char *v)
{
	struct ps_opts *o = obj;

	ALLOC_GROW(o->status, o->n_status + 1, o->status_alloc);
	o->status[o->n_status++] = v;
	return CLI_OK;
}

/* compose v2 knows one filter, status=VALUE. */
static int ps_filter(void *obj, const char *v)
{
	if (!strchr(v, '=')) {
		cli_errorf("arguments to --filter should be in form KEY=VAL");
		return CLI_USAGE;
	}
	if (strncmp(v, "status=", 7)) {
		cli_errorf("unknown filter %.*s", (int)(strchr(v, '=') - v), v);
		return CLI_USAGE;
	}
	return ps_status(obj, v + 7);
}

static int ps_orphans(void *obj, const char *v)
{
	struct ps_opts *o = obj;

	if (cli_opt_bool(v) < 0) {
		cli_errorf("ps: --orphans: '%s' is not true or false", v);
		return CLI_USAGE;
	}
	o->no_orphans = !cli_opt_bool(v);
	return CLI_OK;
}

#define O struct ps_opts
static const struct cli_opt ps_opts_v[] = {
	CLI_FORMAT(O, format, "table|json", "output format (default table)"),
	CLI_FLAG('a', "all", O, all, "also stopped containers"),
	CLI_FLAG('q', "quiet", O, quiet, "only the container ids"),
	CLI_FLAG(0, "services", O, services, "only the service names"),
	{.lname = "status",
	 .kind = CLI_OPT_FN,
	 .fn = ps_status,
	 .arg = "STATUS",
	 .flags = CLI_OPT_REPEAT,
	 .help = "only containers in this state (repeatable): paused,\n"
		 "restarting, removing, running, dead, created, exited"},
	{.lname = "filter",
	 .kind = CLI_OPT_FN,
	 .fn = ps_filter,
	 .arg = "status=STATUS",
	 .flags = CLI_OPT_REPEAT,
	 .help = "as --status (the one filter compose v2 has)"},
	CLI_FLAG(
		0, "no-trunc", O, no_trunc, "do not truncate IDs and commands"),
	{.lname = "orphans",
	 .kind = CLI_OPT_FN,
	 .fn = ps_orphans,
	 .arg = "true|false",
	 .flags = CLI_OPT_OPTVAL,
	 .help = "with false, only the services of the file (default\n"
		 "true: also containers of services not in it)"},
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_ps = {
	.name = "ps",
	.args = "[SERVICE...]",
	.summary = "list the containers on every daemon",
	.desc = "List the project's containers on every daemon.",
	.opts = ps_opts_v,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

static int ps_parse(struct ps_opts *o, int argc, char **argv)
{
	int n, rc = cli_opt_parse(&cli_spec_ps, o, argc, argv, &n);

	o->json = o->format && !strcmp(o->format, "json");
	o->names = argv + 1;
	o->n_names = (size_t)n;
	return rc;
}

int cmd_ps(int argc, char **argv)
{
	struct ps_opts o = {0};
	struct cli_session s;
	struct ps_row *rows = NULL;
	size_t n;
	int rc = ps_parse(&o, argc, argv);

	if (rc) {
		free(o.status);
		return rc < 0 ? CLI_OK : rc;
	}
	/* ps shows addresses (networks) and os/arch, never a volume. */
	rc = cli_session_open(&s, CLI_SESSION_QUIET | CLI_SESSION_NO_VOLUMES);
	if (!rc)
		rc = cli_session_check_services(&s, o.names, o.n_names);
	if (rc) {
		free(o.status);
		cli_session_close(&s);
		return rc;
	}
	o.project = s.project;
	n = collect_rows(&rows, &s, &o);
	if (o.quiet)
		for (size_t i = 0; i < n; i++)
			printf("%s\n", rows[i].c->id);
	else if (o.services)
		print_services(rows, n);
	else if (o.json)
		print_json(rows, n, s.project_name, !o.no_trunc);
	else
		print_table(rows, n, s.project_name, !o.no_trunc);
	free(rows);
	free(o.status);
	cli_session_close(&s);
	return CLI_OK;
}
