/* `mixcompose config` run as a process: exit codes and outputs. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/sbuf.h"

static char dir[64];
static struct sbuf out = SBUF_INIT, err = SBUF_INIT;

static int rm_one(const char *p, const struct stat *st, int f, struct FTW *w)
{
	(void)st;
	(void)f;
	(void)w;
	return remove(p);
}

static void setup(void)
{
	strcpy(dir, "/tmp/mixc-cli-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	sbuf_release(&out);
	sbuf_release(&err);
}

TestSuite(cli_config, .init = setup, .fini = teardown);

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static void slurp(struct sbuf *sb, const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	sbuf_reset(sb);
	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(sb, buf, n);
	fclose(f);
}

static const char *stdin_path;

/* Runs mixcompose with 'args' (NULL-terminated) in 'cwd'; returns status. */
static int run_in(const char *cwd, const char *const *args)
{
	char o[128], e[128];
	const char *argv[32] = {MIXCOMPOSE_BIN};
	int status;
	pid_t pid;
	size_t n = 1;

	for (; args[n - 1]; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	snprintf(o, sizeof(o), "%s.out", dir);
	snprintf(e, sizeof(e), "%s.err", dir);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (!pid) {
		int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fo < 0 || fe < 0 || chdir(cwd))
			_exit(127);
		if (stdin_path) {
			int fi = open(stdin_path, O_RDONLY);

			if (fi < 0)
				_exit(127);
			dup2(fi, 0);
		}
		dup2(fo, 1);
		dup2(fe, 2);
		unsetenv("COMPOSE_FILE");
		unsetenv("COMPOSE_PROJECT_NAME");
		unsetenv("COMPOSE_PROFILES");
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	slurp(&out, o);
	slurp(&err, e);
	unlink(o);
	unlink(e);
	cr_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

#define RUN(...) run_in(dir, (const char *const[]){__VA_ARGS__, NULL})

static const char simple[] =
	"name: demo\n"
	"services:\n"
	"  web:\n    image: nginx\n    ports: [\"8080:80\"]\n"
	"    depends_on: [db]\n    volumes: [\"data:/data\"]\n"
	"  db:\n    image: postgres\n    profiles: [db]\n"
	"  tool:\n    image: busybox\n    profiles: [tools]\n"
	"volumes:\n  data: {}\n";

Test(cli_config, prints_yaml_and_exits_zero)
{
	put("compose.yaml", "services:\n  web:\n    image: nginx\n");
	cr_assert_eq(RUN("-p", "demo", "config"), 0, "%s", err.buf);
	cr_assert(strstr(out.buf, "name: demo\n"));
	cr_assert(strstr(out.buf, "services:\n  web:\n"));
	cr_assert(strstr(out.buf, "image: nginx"));
}

Test(cli_config, json_format)
{
	put("compose.yaml", "services:\n  web:\n    image: nginx\n"
			    "    ports: [\"8080:80\"]\n");
	cr_assert_eq(RUN("config", "--format", "json"), 0, "%s", err.buf);
	cr_assert_eq(out.buf[0], '{');
	cr_assert(strstr(out.buf, "\"published\": \"8080\""), "%s", out.buf);
	cr_assert(strstr(out.buf, "\"target\": 80,"));
}

Test(cli_config, services_list_with_profiles)
{
	put("compose.yaml", simple);
	cr_assert_eq(RUN("--profile", "db", "config", "--services"), 0, "%s",
		     err.buf);
	cr_assert_str_eq(out.buf, "db\nweb\n");
}

Test(cli_config, profiles_list)
{
	put("compose.yaml", simple);
	cr_assert_eq(RUN("--profile", "db", "config", "--profiles"), 0, "%s",
		     err.buf);
	cr_assert_str_eq(out.buf, "db\ntools\n");
}

Test(cli_config, volumes_and_networks_lists)
{
	put("compose.yaml", simple);
	cr_assert_eq(RUN("--profile", "*", "config", "--volumes"), 0);
	cr_assert_str_eq(out.buf, "data\n");
	cr_assert_eq(RUN("--profile", "*", "config", "--networks"), 0);
	cr_assert_str_eq(out.buf, "default\n");
}

Test(cli_config, quiet_prints_nothing)
{
	put("compose.yaml", "services:\n  web:\n    image: nginx\n");
	cr_assert_eq(RUN("config", "-q"), 0);
	cr_assert_eq(out.len, 0);
}

Test(cli_config, output_file)
{
	struct sbuf f = SBUF_INIT;
	char path[128];

	put("compose.yaml", "services:\n  web:\n    image: nginx\n");
	cr_assert_eq(RUN("config", "-o", "out.yaml"), 0);
	cr_assert_eq(out.len, 0);
	snprintf(path, sizeof(path), "%s/out.yaml", dir);
	slurp(&f, path);
	cr_assert(strstr(f.buf, "image: nginx"));
	sbuf_release(&f);
}

Test(cli_config, dependency_on_disabled_service_fails)
{
	put("compose.yaml", simple);
	cr_assert_eq(RUN("config"), 1);
	cr_assert(strstr(err.buf, "compose.yaml:6:18"), "%s", err.buf);
}

Test(cli_config, no_interpolate)
{
	put("compose.yaml", "services:\n  web:\n    image: \"nginx:${TAG}\"\n");
	cr_assert_eq(RUN("config", "--no-interpolate"), 0);
	cr_assert(strstr(out.buf, "nginx:${TAG}"), "%s", out.buf);
}

Test(cli_config, bad_value_reports_file_line_column)
{
	put("compose.yaml", "services:\n  web:\n    image: nginx\n"
			    "    depends_on: [ghost]\n");
	cr_assert_eq(RUN("config"), 1);
	cr_assert(strstr(err.buf, "compose.yaml:4:18: services.web.depends_on"),
		  "%s", err.buf);
}

Test(cli_config, missing_file_fails)
{
	cr_assert_eq(RUN("config"), 1);
	cr_assert(strstr(err.buf, "no configuration file provided"));
}

Test(cli_config, unknown_format_is_usage_error)
{
	put("compose.yaml", "services:\n  web:\n    image: nginx\n");
	cr_assert_eq(RUN("config", "--format", "toml"), 2);
}

Test(cli_config, unknown_option_is_usage_error)
{
	cr_assert_eq(RUN("config", "--bogus"), 2);
}

Test(cli_config, help_exits_zero)
{
	cr_assert_eq(RUN("config", "--help"), 0);
	cr_assert(strstr(out.buf, "--format"));
	cr_assert_eq(RUN("help", "config"), 0);
	cr_assert(strstr(out.buf, "--services"));
}

Test(cli_config, hash_of_service)
{
	char first[128];

	put("compose.yaml", "services:\n  web:\n    image: nginx\n");
	cr_assert_eq(RUN("config", "--hash", "web"), 0);
	cr_assert(!strncmp(out.buf, "web ", 4));
	snprintf(first, sizeof(first), "%s", out.buf);
	put("compose.yaml", "services:\n  web:\n    image: nginx:2\n");
	cr_assert_eq(RUN("config", "--hash", "*"), 0);
	cr_assert_str_neq(out.buf, first);
	cr_assert_eq(RUN("config", "--hash", "nope"), 1);
}

Test(cli_config, mixed_sample_prints_normalized)
{
	cr_assert_eq(run_in(SOURCE_DIR "/samples/mixed",
			    (const char *const[]){"config", "--format", "json",
						  NULL}),
		     0, "%s", err.buf);
	cr_assert(strstr(out.buf, "\"name\": \"mixed\""));
	cr_assert(strstr(out.buf, "\"type\": \"npipe\""), "%s", out.buf);
	cr_assert(strstr(out.buf, "\"source\": \"C:\\\\data\""), "%s", out.buf);
	cr_assert(strstr(out.buf, "\"isolation\": \"hyperv\""));
	cr_assert(strstr(out.buf, "\"platform\": \"windows/amd64\""));
	cr_assert(strstr(out.buf, "\"stop_grace_period\": \"1m30s\""));
}

Test(cli_config, reads_stdin_with_dash)
{
	char path[128];

	put("piped.yaml", "services:\n  fromstdin:\n    image: x\n"
			  "    volumes: [\"./d:/d\"]\n");
	snprintf(path, sizeof(path), "%s/piped.yaml", dir);
	stdin_path = path;
	cr_assert_eq(RUN("-f", "-", "-p", "p", "config", "--format", "json"), 0,
		     "%s", err.buf);
	stdin_path = NULL;
	cr_assert(strstr(out.buf, "\"fromstdin\""));
	/* The directory of stdin is the working directory. */
	cr_assert(strstr(out.buf, "/d\""), "%s", out.buf);
}

Test(cli_config, env_file_and_project_name_options)
{
	put("compose.yaml", "services:\n  web:\n    image: \"nginx:${TAG}\"\n");
	put("prod.env", "TAG=prod\n");
	cr_assert_eq(RUN("--env-file", "prod.env", "-p", "shop", "config"), 0,
		     "%s", err.buf);
	cr_assert(strstr(out.buf, "name: shop\n"));
	cr_assert(strstr(out.buf, "image: nginx:prod"), "%s", out.buf);
}

Test(cli_config, invalid_project_name_is_a_usage_error)
{
	put("compose.yaml", "services:\n  web:\n    image: nginx\n");
	cr_assert_eq(RUN("-p", "Bad Name", "config"), 2);
	cr_assert(strstr(err.buf, "'Bad Name'"), "%s", err.buf);
}

Test(cli_config, warns_about_two_candidate_files)
{
	put("compose.yaml", "services:\n  web:\n    image: a\n");
	put("docker-compose.yml", "services:\n  web:\n    image: b\n");
	cr_assert_eq(RUN("config"), 0);
	cr_assert(strstr(out.buf, "image: a"));
	cr_assert(strstr(err.buf, "warning: "), "%s", err.buf);
}

Test(cli_config, services_listed_dependencies_first)
{
	put("compose.yaml",
	    "services:\n  a:\n    image: x\n    depends_on: [c]\n"
	    "  b:\n    image: x\n  c:\n    image: x\n"
	    "    depends_on: [d]\n  d:\n    image: x\n");
	cr_assert_eq(RUN("config", "--services"), 0, "%s", err.buf);
	cr_assert_str_eq(out.buf, "d\nc\na\nb\n");
}

/* As compose v2: config refuses the cycle that up refuses, at its place. */
Test(cli_config, dependency_cycle_fails_as_up_does)
{
	put("compose.yaml", "services:\n  a:\n    image: x\n    depends_on: "
			    "[b]\n  b:\n    image: x\n    depends_on: [a]\n");
	cr_assert_eq(RUN("config"), 1);
	cr_assert(strstr(err.buf, "compose.yaml:7:18: dependency cycle: a -> "
				  "b -> a"),
		  "%s", err.buf);
	cr_assert_eq(RUN("config", "-q"), 1);
}

/* As compose v2: every '$' of an interpolated model printed as "$$". */
Test(cli_config, dollars_printed_doubled)
{
	put("compose.yaml", "services:\n  web:\n    image: \"busy$$box\"\n"
			    "    labels: {'a$$b': 'c$$d'}\n"
			    "    command: echo $$HOME\n");
	cr_assert_eq(RUN("config"), 0, "%s", err.buf);
	cr_assert(strstr(out.buf, "image: busy$$box\n"), "%s", out.buf);
	cr_assert(strstr(out.buf, "a$$$$b: c$$d\n"), "%s", out.buf);
	cr_assert(strstr(out.buf, "- $$HOME\n"), "%s", out.buf);
	cr_assert_eq(RUN("config", "--format", "json"), 0, "%s", err.buf);
	cr_assert(strstr(out.buf, "\"busy$$box\""), "%s", out.buf);
	/* Not interpolated: printed as written. */
	cr_assert_eq(RUN("config", "--no-interpolate"), 0, "%s", err.buf);
	cr_assert(strstr(out.buf, "image: busy$$box\n"), "%s", out.buf);
	cr_assert(strstr(out.buf, "a$$b: c$$d\n"), "%s", out.buf);
}

Test(cli_config, images_and_variables)
{
	char want[512];

	put("compose.yaml", "name: flow2\n"
			    "services:\n"
			    "  web:\n    image: nginx:${TAG:-1.25}\n"
			    "  app:\n    build: .\n"
			    "    environment: [\"A=${REQ:?need it}\"]\n");
	cr_assert_eq(RUN("config", "--images"), 1); /* REQ is unset */
	cr_assert_eq(RUN("config", "--variables"), 0, "%s", err.buf);
	/* Go's tabwriter: columns 20 wide (or the widest cell + 3). */
	snprintf(want, sizeof(want),
		 "%-20s%-20s%-20s%s\n%-20s%-20s%-20s\n"
		 "%-20s%-20s%-20s\n",
		 "NAME", "REQUIRED", "DEFAULT VALUE", "ALTERNATE VALUE", "REQ",
		 "true", "", "TAG", "false", "1.25");
	cr_assert_str_eq(out.buf, want);
	put("compose.yaml", "name: flow2\n"
			    "services:\n"
			    "  web:\n    image: nginx:${TAG:-1.25}\n"
			    "  app:\n    build: .\n");
	cr_assert_eq(RUN("config", "--images"), 0, "%s", err.buf);
	cr_assert_str_eq(out.buf, "flow2-app\nnginx:1.25\n");
}
