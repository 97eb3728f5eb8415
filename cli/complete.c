/*
 * Shell completion from the option tables, as cobra does it: the shell's
 * script (`mixcompose completion bash|zsh|fish|powershell`) runs the
 * hidden `mixcompose __complete WORDS... CURRENT` and offers what it
 * prints, one candidate a line.  A single line ":file" or ":dir" asks the
 * shell for its own path completion.  Service names and profiles come from
 * the project that -f, -p and --project-directory among WORDS select.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

/* Prints 'cand' (with 'pre' in front) if it starts with 'cur'. */
static void offer(const char *pre, const char *cand, const char *cur)
{
	char full[512];

	snprintf(full, sizeof(full), "%s%s", pre, cand);
	if (!strncmp(full, cur, strlen(cur)))
		printf("%s\n", full);
}

/* Loads the project the global options name; NULL if none. */
static struct compose_project *quiet_project(void)
{
	return cli_project_present() ? cli_project_load(true) : NULL;
}

static void offer_services(const char *pre, const char *cur)
{
	struct compose_project *p = quiet_project();

	for (size_t i = 0; p && i < p->n_services; i++)
		offer(pre, p->services[i].name, cur);
	for (size_t i = 0; p && i < p->n_disabled; i++)
		offer(pre, p->disabled[i].name, cur);
	compose_project_free(p);
}

static bool seen(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static void add_profiles(const char **v,
			 size_t *n,
			 size_t cap,
			 const struct compose_service *s,
			 size_t ns)
{
	for (size_t i = 0; i < ns; i++)
		for (size_t j = 0; j < s[i].profiles.n; j++)
			if (*n < cap && !seen(v, *n, s[i].profiles.v[j]))
				v[(*n)++] = s[i].profiles.v[j];
}

static void offer_profiles(const char *pre, const char *cur)
{
	struct compose_project *p = quiet_project();
	const char *v[256];
	size_t n = 0;

	if (!p)
		return;
	add_profiles(v, &n, 256, p->services, p->n_services);
	add_profiles(v, &n, 256, p->disabled, p->n_disabled);
	for (size_t i = 0; i < n; i++)
		offer(pre, v[i], cur);
	compose_project_free(p);
}

/* NAME= of every daemon the registry knows (flags, env, file, contexts). */
static void offer_daemons(const char *pre, const char *cur)
{
	struct compose_project *p = quiet_project();
	struct engine_registry *r = NULL;
	struct diag err = {0};
	char buf[256];

	if (!cli_registry_build(&r, p, &err))
		for (size_t i = 0; i < engine_registry_count(r); i++) {
			snprintf(buf, sizeof(buf), "%s=",
				 engine_registry_at(r, i)->name);
			offer(pre, buf, cur);
		}
	engine_registry_free(r);
	compose_project_free(p);
}

/* The values of an option: its choices ("a|b" in its arg), or a kind. */
static void offer_values(const struct cli_opt *o, const char *pre, const char *cur)
{
	const char *list = o->choices ? o->choices : o->arg;

	switch (o->complete) {
	case CLI_COMPLETE_SERVICE:
		offer_services(pre, cur);
		return;
	case CLI_COMPLETE_PROFILE:
		offer_profiles(pre, cur);
		return;
	case CLI_COMPLETE_DAEMON:
		offer_daemons(pre, cur);
		return;
	case CLI_COMPLETE_FILE:
		printf(":file\n");
		return;
	case CLI_COMPLETE_DIR:
		printf(":dir\n");
		return;
	default:
		break;
	}
	if (!list || !strchr(list, '|') || strchr(list, '['))
		return;
	for (const char *p = list; p && *p;) {
		const char *bar = strchr(p, '|');
		char buf[64];

		snprintf(buf, sizeof(buf), "%.*s",
			 (int)(bar ? (size_t)(bar - p) : strlen(p)), p);
		offer(pre, buf, cur);
		p = bar ? bar + 1 : NULL;
	}
}

static void offer_flags(const struct cli_spec *s, const char *cur)
{
	char name[64];

	for (const struct cli_opt *o = s->opts; o->sname || o->lname; o++) {
		if (o->flags & CLI_OPT_HIDDEN)
			continue;
		if (o->lname)
			offer("", cli_opt_name(name, sizeof(name), o), cur);
		if (o->sname) {
			snprintf(name, sizeof(name), "-%c", o->sname);
			offer("", name, cur);
		}
	}
	offer("", "--help", cur);
}

static void offer_commands(const char *cur)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (!(c->spec->flags & CLI_SPEC_HIDDEN))
			offer("", c->name, cur);
}

/* True if option word 'w' of 's' takes the next word as its value. */
static const struct cli_opt *takes_next(const struct cli_spec *s,
					const char *w)
{
	const struct cli_opt *o;

	if (w[0] != '-' || !w[1] || !strcmp(w, "--") || strchr(w, '='))
		return NULL;
	if (w[1] != '-' && w[2]) /* -tVALUE, or a cluster: its last letter */
		w = (char[]){'-', w[strlen(w) - 1], 0};
	o = cli_opt_find(s, w);
	if (w[1] != '-' && o && o->arg && strlen(w) > 2)
		return NULL;
	return o && o->arg && !(o->flags & CLI_OPT_OPTVAL) ? o : NULL;
}

/* The current word of a command (or the top level) 's'. */
static void complete_in(const struct cli_spec *s,
			char **w,
			int n,
			const char *cur)
{
	const struct cli_opt *o = NULL;
	int nargs = 0;
	bool dashdash = false;

	for (int i = 0; i < n; i++) {
		if (!dashdash && (o = takes_next(s, w[i])) && i + 1 < n) {
			i++;
			o = NULL;
		} else if (!dashdash && !strcmp(w[i], "--")) {
			dashdash = true;
		} else if (dashdash || w[i][0] != '-' || !w[i][1]) {
			nargs++;
			if (s->flags & CLI_SPEC_ARGS_END)
				return; /* the rest is the command's own */
		}
	}
	if (o) {
		offer_values(o, "", cur);
	} else if (!dashdash && !strncmp(cur, "--", 2) && strchr(cur, '=')) {
		char pre[96];

		snprintf(pre, sizeof(pre), "%.*s=",
			 (int)(strchr(cur, '=') - cur), cur);
		if ((o = cli_opt_find(s, cur)) && o->arg)
			offer_values(o, pre, cur);
	} else if (!dashdash && cur[0] == '-') {
		offer_flags(s, cur);
	} else if (s->args_complete == CLI_COMPLETE_SERVICE &&
		   (s->max_args < 0 || nargs < s->max_args) &&
		   (strcmp(s->name, "port") || nargs == 0)) {
		offer_services("", cur);
	}
}

static const struct cli_opt complete_opts_v[] = {CLI_OPT_END};

const struct cli_spec cli_spec_complete = {
	.name = "__complete",
	.args = "[WORD...] CURRENT",
	.summary = "shell completion candidates",
	.desc = "Print the completion candidates of the last word, one a line\n"
		"(what the completion scripts call).",
	.opts = complete_opts_v,
	.max_args = -1,
	.flags = CLI_SPEC_HIDDEN,
};

int cmd_complete(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	const char *cur;
	char **w = argv + 1;
	int n = argc - 2, i, g;

	if (argc < 2)
		return CLI_OK;
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		cli_opt_help(stdout, &cli_spec_complete);
		return CLI_OK;
	}
	cur = argv[argc - 1];
	/* A half-typed line is no error: the shell shows nothing of it. */
	if (!freopen("/dev/null", "w", stderr))
		return CLI_OK;
	/* The global options, up to the command. */
	for (i = 0; i < n; i++) {
		if (takes_next(&cli_spec_main, w[i]) && i + 1 < n)
			i++;
		else if (w[i][0] != '-')
			break;
	}
	if (i > 0) {
		char *gv[130] = {"mixcompose"};
		int gn;

		g = i < 128 ? i : 128;
		memcpy(gv + 1, w, (size_t)g * sizeof(*gv));
		cli_opt_parse(&cli_spec_main, &cli_global, g + 1, gv, &gn);
	}
	if (i >= n) {
		if (cur[0] == '-' ||
		    (n > 0 && takes_next(&cli_spec_main, w[n - 1])))
			complete_in(&cli_spec_main, w, n, cur);
		else
			offer_commands(cur);
		return CLI_OK;
	}
	cmd = cli_cmd_find(w[i]);
	if (cmd)
		complete_in(cmd->spec, w + i + 1, n - i - 1, cur);
	return CLI_OK;
}
