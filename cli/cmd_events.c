/*
 * mixcompose events: the container events of the project, streamed from
 * every daemon at once (GET /events, filtered by the project's label), one
 * line per event as compose v2 prints it, plus the daemon that sent it.  A
 * daemon whose stream ends is named and the others go on; SIGINT ends all
 * of them.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat/compat.h"
#include "engine/engine.h"
#include "planner/planner.h"
#include "util/xalloc.h"

#define EV_COMPOSE_PREFIX "com.docker.compose."

struct events_opts {
	bool json;
	const char *since, *until;
};

#define O struct events_opts
static const struct cli_opt events_opts_v[] = {
	CLI_FLAG(0,
		 "json",
		 O,
		 json,
		 "output events as a stream of json objects"),
	CLI_STR(0,
		"since",
		O,
		since,
		"TIME",
		"show all events created since a time"),
	CLI_STR(0, "until", O, until, "TIME", "stream events until a time"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_events = {
	.name = "events",
	.args = "[SERVICE...]",
	.summary = "receive real time events from containers",
	.desc = "Stream the container events of the project from every "
		"daemon at once,\neach line with the daemon that sent it.",
	.opts = events_opts_v,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

/* What every daemon's stream shares. */
struct ev_stream {
	const struct events_opts *o;
	char *const *services;
	size_t n_services;
	struct engine_filters f;
};

const char *cli_event_attr(const struct engine_event *ev, const char *key)
{
	for (size_t i = 0; i < ev->n_attributes; i++)
		if (!strcmp(ev->attributes[i].key, key))
			return ev->attributes[i].value;
	return NULL;
}

/* Go's time.Time in JSON: RFC 3339 with the nanoseconds, zeros trimmed. */
void cli_event_time(char *buf, size_t size, long long nano, bool json)
{
	time_t sec = (time_t)(nano / 1000000000LL);
	long ns = (long)(nano % 1000000000LL);
	struct tm tm;
	char date[32], frac[16], zone[40];
	long off;
	int n;

	off = compat_localtime((long long)sec, &tm) / 60;
	if (!json) {
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(buf, size, "%s.%06ld", date, ns / 1000);
		return;
	}
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	frac[0] = '\0';
	if (ns) {
		n = snprintf(frac, sizeof(frac), ".%09ld", ns);
		while (n > 1 && frac[n - 1] == '0')
			frac[--n] = '\0';
	}
	if (!off)
		snprintf(zone, sizeof(zone), "Z");
	else
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld",
			 off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	snprintf(buf, size, "%s%s%s", date, frac, zone);
}

void cli_event_format(struct sbuf *out,
		      const struct engine_event *ev,
		      const char *daemon,
		      bool json)
{
	const char *svc = cli_event_attr(ev, EV_COMPOSE_PREFIX "service");
	char when[64];

	cli_event_time(when, sizeof(when), ev->time_nano, json);
	if (json) {
		struct json *j = json_object_new(), *a;

		/* compose v2 marshals a Go map: keys in sorted order. */
		json_add_str(j, "action", ev->action);
		a = json_add_object(j, "attributes");
		for (size_t i = 0; i < ev->n_attributes; i++)
			if (strncmp(ev->attributes[i].key, EV_COMPOSE_PREFIX,
				    strlen(EV_COMPOSE_PREFIX)))
				json_add_str(a, ev->attributes[i].key,
					     ev->attributes[i].value);
		json_add_str(j, "daemon", daemon);
		json_add_str(j, "id", ev->id);
		json_add_str(j, "service", svc ? svc : "");
		json_add_str(j, "time", when);
		json_add_str(j, "type", "container");
		json_write_free(out, j, 0);
		return;
	}
	sbuf_addf(out, "%s container %s %s (daemon=%s", when,
		  ev->action ? ev->action : "", ev->id ? ev->id : "", daemon);
	for (size_t i = 0; i < ev->n_attributes; i++)
		if (strncmp(ev->attributes[i].key, EV_COMPOSE_PREFIX,
			    strlen(EV_COMPOSE_PREFIX)))
			sbuf_addf(out, ", %s=%s", ev->attributes[i].key,
				  ev->attributes[i].value);
	sbuf_adds(out, ")\n");
}

static int on_event(void *ud, const struct engine_event *ev)
{
	const struct cli_task *t = ud;
	const struct ev_stream *st = t->arg;
	const char *svc = cli_event_attr(ev, EV_COMPOSE_PREFIX "service");
	const char *oneoff = cli_event_attr(ev, EV_COMPOSE_PREFIX "oneoff");
	struct sbuf line = SBUF_INIT;

	/* As compose v2: containers only, one-off containers left out. */
	if (!ev->type || strcmp(ev->type, "container") != 0 ||
	    (oneoff && !strcmp(oneoff, "True")) ||
	    (st->n_services &&
	     !cli_names_has(st->services, st->n_services, svc ? svc : "")))
		return 0;
	cli_event_format(&line, ev, t->h->name, st->o->json);
	fputs(line.buf, stdout);
	fflush(stdout);
	sbuf_release(&line);
	return 0;
}

static void on_end(void *ud, int rc, const struct diag *err)
{
	struct cli_task *t = ud;
	const struct ev_stream *st = t->arg;
	struct diag e = {0};

	if (rc)
		diag_set(&e, rc, NULL, "the event stream failed: %s",
			 err ? err->msg : "no answer");
	else if (!st->o->until)
		fprintf(stderr,
			"mixcompose: daemon '%s' closed its event stream\n",
			t->h->name);
	cli_task_done(t, rc, &e);
}

static void
ev_start(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	const struct ev_stream *st = t->arg;

	engine_events_async(l, e, &st->f, st->o->since, st->o->until, on_event,
			    t, on_end, t);
}

/* The --since/--until values as unix times for the daemons. */
static int events_times(struct events_opts *o, char *since, char *until)
{
	if ((o->since &&
	     cli_log_time_flag(since, 40, "events", "since", o->since)) ||
	    (o->until &&
	     cli_log_time_flag(until, 40, "events", "until", o->until)))
		return CLI_USAGE;
	o->since = o->since ? since : NULL;
	o->until = o->until ? until : NULL;
	return CLI_OK;
}

/* A stream per daemon, through the runner, until Ctrl-C or --until. */
static int events_run(struct cli_session *s,
		      const struct events_opts *o,
		      char *const *names,
		      size_t n_names)
{
	char label[300];
	struct engine_kv kv[2] = {{"type", "container"}, {"label", label}};
	struct ev_stream st = {o, names, n_names, {kv, 2}};
	struct cli_task *t = xcalloc(s->n_hosts + 1, sizeof(*t));
	struct cli_tasks_opts to = {0};
	volatile sig_atomic_t *stop;
	int rc;

	snprintf(label, sizeof(label), EV_COMPOSE_PREFIX "project=%s",
		 s->project_name);
	cli_signals_catch(&stop);
	to.stop = stop;
	for (size_t i = 0; i < s->n_hosts; i++)
		t[i] = (struct cli_task){.h = &s->hosts[i],
					 .what = "events",
					 .start = ev_start,
					 .arg = &st};
	rc = cli_tasks_run(s, t, s->n_hosts, &to);
	free(t);
	return *stop ? cli_signal_status() : rc;
}

int cmd_events(int argc, char **argv)
{
	struct events_opts o = {0};
	char since[40], until[40];
	struct cli_session s;
	int nargs, rc = cli_opt_parse(&cli_spec_events, &o, argc, argv, &nargs);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	rc = events_times(&o, since, until);
	if (rc)
		return rc;
	/* The containers' list probes each daemon: unreachable ones are said.
	 */
	rc = cli_session_open(&s, CLI_SESSION_QUIET | CLI_SESSION_CONTAINERS);
	if (!rc)
		rc = cli_session_check_services(&s, argv + 1, (size_t)nargs);
	if (!rc)
		rc = events_run(&s, &o, argv + 1, (size_t)nargs);
	cli_session_close(&s);
	return rc;
}
