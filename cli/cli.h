#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "compose/compose.h"

/* One subcommand: cmd_<name>(argc, argv) with argv[0] the command name. */
struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

/* Options that come before the command, as in docker compose. */
struct cli_global {
	const char *files[64];
	size_t n_files;
	const char *project_name;
	const char *project_dir;
	const char *env_files[16];
	size_t n_env_files;
	const char *profiles[32];
	size_t n_profiles;
	const char *daemons[32]; /* --daemon NAME=URL | NAME=context:CTX */
	size_t n_daemons;
	bool no_interpolate;
	bool verbose;
	const char *ansi; /* never|always|auto */
};

extern struct cli_global cli_global;

enum {
	CLI_OK = 0,
	CLI_FAIL = 1,
	CLI_USAGE = 2,
};

/*
 * Loads, validates and normalizes the project named by the global
 * options; prints warnings and errors (file:line:col) to stderr.
 * 'interpolate' false is --no-interpolate for this command.  Returns the
 * project or NULL (everything already reported).
 */
struct compose_project *cli_project_load(bool quiet_warnings);

/* Prints "mixcompose: <diag>" to stderr. */
void cli_error(const struct diag *d);
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the list's items ("warning: " for warnings); returns its errors. */
size_t cli_print_diags(struct diag_list *dl);
/* True if stdout/stderr should get colour. */
bool cli_color(FILE *f);

/* Looks up a command by name (NULL if none). */
const struct cli_cmd *cli_cmd_find(const char *name);

int cmd_config(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
