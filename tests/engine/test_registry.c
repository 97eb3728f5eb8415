#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "fake_server.h"
#include "util/sha256.h"

static char cfgdir[64];

static void mkdirs(const char *path)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0700);
			*p = '/';
		}
	}
	mkdir(buf, 0700);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* Writes a context as the docker CLI lays it out, with its Metadata. */
static void add_context_meta(const char *name,
			     const char *host,
			     const char *metadata,
			     bool skip_verify,
			     bool tls_files)
{
	char hex[SHA256_HEX_LEN + 1], dir[512], path[600], json[1024];

	sha256_hex(hex, name, strlen(name));
	snprintf(dir, sizeof(dir), "%s/contexts/meta/%s", cfgdir, hex);
	mkdirs(dir);
	snprintf(json, sizeof(json),
		 "{\"Name\":\"%s\",\"Metadata\":%s,\"Endpoints\":{\"docker\":"
		 "{\"Host\":\"%s\",\"SkipTLSVerify\":%s}}}",
		 name, metadata, host, skip_verify ? "true" : "false");
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	write_file(path, json);
	if (tls_files) {
		snprintf(dir, sizeof(dir), "%s/contexts/tls/%s/docker", cfgdir,
			 hex);
		mkdirs(dir);
		snprintf(path, sizeof(path), "%s/ca.pem", dir);
		write_file(path, "not a real ca\n");
	}
}

static void add_context(const char *name,
			const char *host,
			bool skip_verify,
			bool tls_files)
{
	add_context_meta(name, host, "{}", skip_verify, tls_files);
}

static void write_file_in_cfg(const char *name, const char *text)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", cfgdir, name);
	write_file(path, text);
}

static void setup(void)
{
	snprintf(cfgdir, sizeof(cfgdir), "/tmp/mixcfg.XXXXXX");
	cr_assert_not_null(mkdtemp(cfgdir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cfgdir);
	cr_assert_eq(system(cmd), 0);
}

static struct engine_registry *build(const char *const *flags,
				     size_t nf,
				     const struct engine_daemon_decl *decls,
				     size_t nd,
				     char *const *env)
{
	struct engine_registry_opts o = {
		.flags = flags,
		.n_flags = nf,
		.decls = decls,
		.n_decls = nd,
		.environ_ = env,
		.docker_config = cfgdir,
	};
	struct engine_registry *r = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_registry_new(&r, &o, &err), 0, "%s", err.msg);
	return r;
}

static int build_fails(const char *const *flags,
		       size_t nf,
		       const struct engine_daemon_decl *decls,
		       size_t nd,
		       char *const *env,
		       struct diag *err)
{
	struct engine_registry_opts o = {
		.flags = flags,
		.n_flags = nf,
		.decls = decls,
		.n_decls = nd,
		.environ_ = env,
		.docker_config = cfgdir,
	};
	struct engine_registry *r = NULL;
	int rc = engine_registry_new(&r, &o, err);

	cr_assert_null(r);
	return rc;
}

TestSuite(engine_registry, .init = setup, .fini = teardown);

Test(engine_registry, nothing_declared_gives_the_default_socket)
{
	char *env[] = {NULL};
	struct engine_registry *r = build(NULL, 0, NULL, 0, env);
	struct engine_daemon *d;

	cr_assert_eq(engine_registry_count(r), 1);
	d = engine_registry_at(r, 0);
	cr_assert_str_eq(d->name, "default");
	cr_assert_str_eq(d->url, "unix:///var/run/docker.sock");
	cr_assert_eq(d->source, ENGINE_SRC_DEFAULT);
	engine_registry_free(r);
}

Test(engine_registry, docker_host_with_tls_verify)
{
	char *env[] = {"DOCKER_HOST=tcp://127.0.0.1:2376",
		       "DOCKER_TLS_VERIFY=1", "DOCKER_CERT_PATH=/certs",
		       "DOCKER_CONTEXT=other", NULL};
	struct engine_registry *r = build(NULL, 0, NULL, 0, env);
	struct engine_daemon *d = engine_registry_find(r, "default");

	cr_assert_not_null(d);
	cr_assert_str_eq(d->url, "tcp://127.0.0.1:2376");
	cr_assert(d->tls);
	cr_assert(d->tls_verify);
	cr_assert_str_eq(d->cert_path, "/certs");
	engine_registry_free(r);
}

Test(engine_registry, docker_context_variable_picks_a_context)
{
	char *env[] = {"DOCKER_CONTEXT=remote", NULL};
	struct engine_registry *r;
	struct engine_daemon *d;

	add_context("remote", "tcp://10.1.2.3:2376", false, true);
	r = build(NULL, 0, NULL, 0, env);
	d = engine_registry_find(r, "default");
	cr_assert_str_eq(d->url, "tcp://10.1.2.3:2376");
	cr_assert_eq(d->source, ENGINE_SRC_CONTEXT);
	cr_assert_str_eq(d->context, "remote");
	cr_assert(d->tls);
	cr_assert(d->tls_verify);
	cr_assert(strstr(d->cert_path, "/contexts/tls/"));
	engine_registry_free(r);
}

Test(engine_registry, current_context_from_config_json)
{
	char *env[] = {NULL};
	char path[600];
	struct engine_registry *r;

	add_context("desk", "unix:///run/desk.sock", false, false);
	snprintf(path, sizeof(path), "%s/config.json", cfgdir);
	write_file(path, "{\"auths\":{},\"currentContext\":\"desk\"}");
	r = build(NULL, 0, NULL, 0, env);
	cr_assert_str_eq(engine_registry_at(r, 0)->url,
			 "unix:///run/desk.sock");
	cr_assert_not(engine_registry_at(r, 0)->tls);
	engine_registry_free(r);
}

Test(engine_registry, flag_beats_env_beats_file)
{
	struct engine_daemon_decl decls[] = {
		{.name = "linux",
		 .endpoint = "unix:///file.sock",
		 .os = "linux",
		 .where = "compose.yaml:5:7"},
		{.name = "win",
		 .endpoint = "unix:///win-file.sock",
		 .os = "windows"},
	};
	char *env[] = {"MIXCOMPOSE_DAEMON_LINUX=unix:///env.sock",
		       "MIXCOMPOSE_DAEMON_WIN=unix:///win-env.sock,lab=true",
		       NULL};
	const char *flags[] = {"linux=unix:///flag.sock"};
	struct engine_registry *r = build(flags, 1, decls, 2, env);
	struct engine_daemon *l = engine_registry_find(r, "linux");
	struct engine_daemon *w = engine_registry_find(r, "win");

	cr_assert_eq(engine_registry_count(r), 2);
	cr_assert_str_eq(l->url, "unix:///flag.sock");
	cr_assert_eq(l->source, ENGINE_SRC_FLAG);
	cr_assert_str_eq(l->declared_os, "linux");
	cr_assert(l->declared);
	cr_assert_str_eq(w->url, "unix:///win-env.sock");
	cr_assert_eq(w->source, ENGINE_SRC_ENV);
	cr_assert_str_eq(w->declared_os, "windows");
	cr_assert(w->lab);
	cr_assert_null(engine_registry_find(r, "default"));
	/* The flag said it on the command line: nothing to point out. */
	cr_assert_null(l->file_endpoint);
	/* The variable replaced the file's endpoint: remembered for a note. */
	cr_assert_str_eq(w->file_endpoint, "unix:///win-file.sock");
	cr_assert_str_eq(w->env_var, "MIXCOMPOSE_DAEMON_WIN");
	engine_registry_free(r);
}

Test(engine_registry, env_over_file_is_remembered_only_when_it_differs)
{
	struct engine_daemon_decl decls[] = {
		{.name = "linux",
		 .endpoint = "unix:///file.sock",
		 .where = "compose.yaml:5:7"},
		{.name = "win", .endpoint = "unix:///same.sock"},
		{.name = "ctx", .context = "winbox"},
	};
	char *env[] = {"MIXCOMPOSE_DAEMON_Linux=unix:///env.sock",
		       "MIXCOMPOSE_DAEMON_WIN=unix:///same.sock",
		       "MIXCOMPOSE_DAEMON_CTX=unix:///c.sock", NULL};
	struct engine_registry *r = build(NULL, 0, decls, 3, env);
	struct engine_daemon *l = engine_registry_find(r, "linux");
	struct engine_daemon *w = engine_registry_find(r, "win");
	struct engine_daemon *c = engine_registry_find(r, "ctx");

	cr_assert_str_eq(l->url, "unix:///env.sock");
	cr_assert_str_eq(l->file_endpoint, "unix:///file.sock");
	cr_assert_str_eq(l->file_where, "compose.yaml:5:7");
	cr_assert_str_eq(l->env_var, "MIXCOMPOSE_DAEMON_Linux");
	cr_assert_null(w->file_endpoint); /* the same endpoint */
	cr_assert_str_eq(c->file_endpoint, "context:winbox");
	engine_registry_free(r);
}

Test(engine_registry, env_name_is_lowercased_with_options)
{
	char *env[] = {"MIXCOMPOSE_DAEMON_WINDOWS=unix:///run/mixlab/"
		       "windows.sock,os=windows,lab=true",
		       "MIXCOMPOSE_DAEMON_=ignored", "OTHER=1", NULL};
	struct engine_registry *r = build(NULL, 0, NULL, 0, env);
	struct engine_daemon *d = engine_registry_find(r, "windows");

	cr_assert_not_null(d);
	cr_assert_eq(engine_registry_count(r), 1);
	cr_assert_str_eq(d->url, "unix:///run/mixlab/windows.sock");
	cr_assert_str_eq(d->declared_os, "windows");
	cr_assert(d->lab);
	engine_registry_free(r);
}

Test(engine_registry, flag_names_a_context_with_tls)
{
	char *env[] = {NULL};
	const char *flags[] = {"win=context:winbox"};
	struct engine_registry *r;
	struct engine_daemon *d;

	add_context("winbox", "tcp://192.0.2.10:2376", true, true);
	r = build(flags, 1, NULL, 0, env);
	d = engine_registry_find(r, "win");
	cr_assert_str_eq(d->url, "tcp://192.0.2.10:2376");
	cr_assert_str_eq(d->context, "winbox");
	cr_assert(d->tls);
	cr_assert_not(d->tls_verify);
	engine_registry_free(r);
}

Test(engine_registry, missing_context_is_named)
{
	char *env[] = {NULL};
	const char *flags[] = {"win=context:nowhere"};
	struct diag err = {0};

	cr_assert_eq(build_fails(flags, 1, NULL, 0, env, &err), DIAG_ENOTFOUND);
	cr_assert(strstr(err.msg, "'nowhere'"), "%s", err.msg);
	cr_assert(strstr(err.msg, "daemon 'win'"), "%s", err.msg);
}

Test(engine_registry, bad_flags_are_usage_errors)
{
	char *env[] = {NULL};
	const char *noeq[] = {"linux"};
	const char *badopt[] = {"linux=unix:///x.sock,colour=blue"};
	const char *badbool[] = {"linux=unix:///x.sock,lab=maybe"};
	const char *badname[] = {"li nux=unix:///x.sock"};
	struct diag err = {0};

	cr_assert_eq(build_fails(noeq, 1, NULL, 0, env, &err), DIAG_EUSAGE);
	cr_assert_eq(build_fails(badopt, 1, NULL, 0, env, &err), DIAG_EUSAGE);
	cr_assert(strstr(err.msg, "'colour'"), "%s", err.msg);
	cr_assert_eq(build_fails(badbool, 1, NULL, 0, env, &err), DIAG_EUSAGE);
	cr_assert(strstr(err.msg, "'maybe'"), "%s", err.msg);
	cr_assert_eq(build_fails(badname, 1, NULL, 0, env, &err), DIAG_EUSAGE);
}

Test(engine_registry, declared_name_alone_uses_the_context_of_that_name)
{
	struct engine_daemon_decl decls[] = {{.name = "edge"}};
	char *env[] = {NULL};
	struct engine_registry *r;

	add_context("edge", "ssh://ops@edge.example", false, false);
	r = build(NULL, 0, decls, 1, env);
	cr_assert_str_eq(engine_registry_find(r, "edge")->url,
			 "ssh://ops@edge.example");
	engine_registry_free(r);
}

Test(engine_registry, declared_without_endpoint_points_at_the_declaration)
{
	struct engine_daemon_decl decls[] = {
		{.name = "ghost", .where = "compose.yaml:5:7"}};
	char *env[] = {NULL};
	struct diag err = {0};

	cr_assert_eq(build_fails(NULL, 0, decls, 1, env, &err), DIAG_EMODEL);
	cr_assert(strstr(err.msg, "compose.yaml:5:7"), "%s", err.msg);
	cr_assert(strstr(err.msg, "'ghost'"), "%s", err.msg);
}

Test(engine_registry, context_read_and_current)
{
	struct engine_context ctx;
	struct diag err = {0};
	char cur[64];

	cr_assert_eq(engine_context_current(cur, sizeof(cur), cfgdir, &err), 0);
	cr_assert_str_eq(cur, "");
	add_context("plain", "unix:///p.sock", true, false);
	cr_assert_eq(engine_context_read(&ctx, cfgdir, "plain", &err), 0);
	cr_assert_str_eq(ctx.host, "unix:///p.sock");
	cr_assert(ctx.skip_tls_verify);
	cr_assert_not(ctx.has_tls);
	cr_assert_eq(engine_context_read(&ctx, cfgdir, "default", &err),
		     DIAG_ENOTFOUND);
}

Test(engine_registry, broken_meta_json_is_a_syntax_error)
{
	char hex[SHA256_HEX_LEN + 1], dir[512], path[600];
	struct engine_context ctx;
	struct diag err = {0};

	sha256_hex(hex, "broken", 6);
	snprintf(dir, sizeof(dir), "%s/contexts/meta/%s", cfgdir, hex);
	mkdirs(dir);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	write_file(path, "{\"Name\":\"broken\",");
	cr_assert_eq(engine_context_read(&ctx, cfgdir, "broken", &err),
		     DIAG_ESYNTAX);
}

/* ---- Probing against the fake daemon ------------------------------------ */

static const struct fake_route linux_routes[] = {
	{.path = "/_ping", .fixture = "ping.http"},
	{.path = "/info", .fixture = "info.http"},
};

Test(engine_registry, probe_fills_os_arch_version_and_api)
{
	struct fake_server *fs = fake_start(linux_routes, 2);
	char flag[256], *env[] = {NULL};
	const char *flags[] = {flag};
	struct engine_registry *r;
	struct engine_daemon *d;

	snprintf(flag, sizeof(flag), "linux=%s,os=linux", fake_url(fs));
	r = build(flags, 1, NULL, 0, env);
	cr_assert_eq(engine_registry_probe(r, NULL), 0);
	d = engine_registry_find(r, "linux");
	cr_assert(d->reachable);
	cr_assert_null(d->error, "%s", d->error);
	cr_assert_str_eq(d->os, "linux");
	cr_assert_str_eq(d->arch, "amd64");
	cr_assert_str_eq(d->server_version, "20.10.24+dfsg1");
	cr_assert_str_eq(d->api_version, "1.41");
	cr_assert_geq(d->latency_us, 0);
	engine_registry_free(r);
	fake_stop(fs);
}

Test(engine_registry, os_mismatch_without_lab_is_an_error)
{
	struct fake_server *fs = fake_start(linux_routes, 2);
	char flag[256], *env[] = {NULL};
	const char *flags[] = {flag};
	struct engine_registry *r;
	struct engine_daemon *d;

	snprintf(flag, sizeof(flag), "windows=%s,os=windows", fake_url(fs));
	r = build(flags, 1, NULL, 0, env);
	engine_registry_probe(r, NULL);
	d = engine_registry_find(r, "windows");
	cr_assert_not_null(d->error);
	cr_assert(strstr(d->error, "'windows'"), "%s", d->error);
	cr_assert(strstr(d->error, "'linux'"), "%s", d->error);
	cr_assert_not(d->stand_in);
	engine_registry_free(r);
	fake_stop(fs);
}

Test(engine_registry, lab_stand_in_takes_the_declared_os)
{
	struct fake_server *fs = fake_start(linux_routes, 2);
	char flag[256], *env[] = {NULL};
	const char *flags[] = {flag};
	struct engine_registry *r;
	struct engine_daemon *d;

	snprintf(flag, sizeof(flag), "windows=%s,os=windows,lab=true",
		 fake_url(fs));
	r = build(flags, 1, NULL, 0, env);
	engine_registry_probe(r, NULL);
	d = engine_registry_find(r, "windows");
	cr_assert_null(d->error, "%s", d->error);
	cr_assert(d->stand_in);
	cr_assert_str_eq(d->os, "windows");
	cr_assert_str_eq(d->reported_os, "linux");
	engine_registry_free(r);
	fake_stop(fs);
}

Test(engine_registry, unreachable_entry_keeps_the_reason)
{
	char *env[] = {NULL};
	const char *flags[] = {"gone=unix:///tmp/mixcompose-no-such.sock",
			       "pipe=npipe:////./pipe/docker_engine"};
	struct engine_registry *r = build(flags, 2, NULL, 0, env);
	struct engine_daemon *g, *p;

	engine_registry_probe(r, NULL);
	g = engine_registry_find(r, "gone");
	p = engine_registry_find(r, "pipe");
	cr_assert_not(g->reachable);
	cr_assert(
		strstr(g->error,
		       "cannot connect to unix:///tmp/mixcompose-no-such.sock"),
		"%s", g->error);
	cr_assert_not(p->reachable);
	cr_assert(strstr(p->error, "npipe://"), "%s", p->error);
	engine_registry_free(r);
}

Test(engine_registry, docker_api_version_forces_the_engines)
{
	char *env[] = {"MIXCOMPOSE_DAEMON_A=unix:///tmp/a.sock",
		       "DOCKER_API_VERSION=1.43", NULL};
	struct engine_registry *r = build(NULL, 0, NULL, 0, env);
	struct diag err = {0};
	struct engine *e =
		engine_registry_engine(r, engine_registry_find(r, "a"), &err);

	cr_assert_not_null(e, "%s", err.msg);
	cr_assert_str_eq(engine_api_version(e), "1.43");
	cr_assert_eq(
		engine_registry_engine(r, engine_registry_find(r, "a"), &err),
		e);
	engine_registry_free(r);
}

Test(engine_registry, source_names)
{
	cr_assert_str_eq(engine_source_name(ENGINE_SRC_FLAG), "flag");
	cr_assert_str_eq(engine_source_name(ENGINE_SRC_ENV), "env");
	cr_assert_str_eq(engine_source_name(ENGINE_SRC_FILE), "file");
	cr_assert_str_eq(engine_source_name(ENGINE_SRC_CONTEXT), "context");
	cr_assert_str_eq(engine_source_name(ENGINE_SRC_DEFAULT), "default");
	cr_assert_str_eq(engine_source_name(ENGINE_SRC_DESKTOP), "desktop");
}

Test(engine_registry, bad_variable_is_a_model_error)
{
	char *env[] = {"MIXCOMPOSE_DAEMON_X=unix:///x.sock,shape=round", NULL};
	struct diag err = {0};

	cr_assert_eq(build_fails(NULL, 0, NULL, 0, env, &err), DIAG_EMODEL);
	cr_assert(
		strstr(err.msg, "MIXCOMPOSE_DAEMON_X: unknown option 'shape'"),
		"%s", err.msg);
}

/* ---- Docker Desktop's two engines, with no daemon map ---------------- */

#define DD_LINUX "npipe:////./pipe/dockerDesktopLinuxEngine"
#define DD_WINDOWS "npipe:////./pipe/dockerDesktopWindowsEngine"

static void desktop_contexts(const char *linux_host, const char *windows_host)
{
	add_context_meta("desktop-linux", linux_host,
			 "{\"Description\":\"Docker Desktop\"}", false, false);
	add_context_meta("desktop-windows", windows_host,
			 "{\"Description\":\"Docker Desktop\"}", false, false);
}

Test(engine_registry, desktop_contexts_give_both_engines)
{
	char *env[] = {NULL};
	struct engine_registry *r;
	struct engine_daemon *l, *w;

	desktop_contexts(DD_LINUX, DD_WINDOWS);
	write_file_in_cfg("config.json",
			  "{\"currentContext\":\"desktop-linux\"}");
	r = build(NULL, 0, NULL, 0, env);
	cr_assert_eq(engine_registry_count(r), 2);
	cr_assert(engine_registry_is_desktop(r));
	l = engine_registry_find(r, "linux");
	w = engine_registry_find(r, "windows");
	cr_assert_str_eq(l->url, DD_LINUX);
	cr_assert_str_eq(l->context, "desktop-linux");
	cr_assert_str_eq(l->declared_os, "linux");
	cr_assert_str_eq(l->desktop_engine, "Linux");
	cr_assert_eq(l->source, ENGINE_SRC_DESKTOP);
	cr_assert_str_eq(w->url, DD_WINDOWS);
	cr_assert_str_eq(w->context, "desktop-windows");
	cr_assert_str_eq(w->declared_os, "windows");
	cr_assert_str_eq(w->desktop_engine, "Windows");
	cr_assert_not(w->lab);
	engine_registry_free(r);
}

Test(engine_registry, desktop_needs_both_contexts)
{
	char *env[] = {NULL};
	struct engine_registry *r;
	struct engine_daemon *d;

	add_context("desktop-linux", DD_LINUX, false, false);
	write_file_in_cfg("config.json",
			  "{\"currentContext\":\"desktop-linux\"}");
	r = build(NULL, 0, NULL, 0, env);
	cr_assert_eq(engine_registry_count(r), 1);
	cr_assert_not(engine_registry_is_desktop(r));
	d = engine_registry_at(r, 0);
	cr_assert_str_eq(d->name, "default");
	cr_assert_str_eq(d->url, DD_LINUX);
	engine_registry_free(r);
}

Test(engine_registry, desktop_gives_way_to_a_map_or_a_chosen_daemon)
{
	char *host[] = {"DOCKER_HOST=tcp://127.0.0.1:2375", NULL};
	char *ctx[] = {"DOCKER_CONTEXT=remote", NULL};
	char *var[] = {"MIXCOMPOSE_DAEMON_X=unix:///x.sock", NULL};
	char *none[] = {NULL};
	const char *flags[] = {"y=unix:///y.sock"};
	struct engine_registry *r;

	desktop_contexts(DD_LINUX, DD_WINDOWS);
	add_context("remote", "tcp://192.0.2.7:2376", false, false);
	r = build(NULL, 0, NULL, 0, host);
	cr_assert_not(engine_registry_is_desktop(r));
	cr_assert_str_eq(engine_registry_at(r, 0)->url, "tcp://127.0.0.1:2375");
	engine_registry_free(r);
	r = build(NULL, 0, NULL, 0, ctx);
	cr_assert_not(engine_registry_is_desktop(r));
	cr_assert_str_eq(engine_registry_at(r, 0)->url, "tcp://192.0.2.7:2376");
	engine_registry_free(r);
	r = build(NULL, 0, NULL, 0, var);
	cr_assert_eq(engine_registry_count(r), 1);
	cr_assert_not(engine_registry_is_desktop(r));
	engine_registry_free(r);
	r = build(flags, 1, NULL, 0, none);
	cr_assert_not(engine_registry_is_desktop(r));
	engine_registry_free(r);
	write_file_in_cfg("config.json", "{\"currentContext\":\"remote\"}");
	r = build(NULL, 0, NULL, 0, none);
	cr_assert_not(engine_registry_is_desktop(r));
	engine_registry_free(r);
}

Test(engine_registry, desktop_stopped_engine_is_named_with_the_way_to_start_it)
{
	struct fake_server *fs = fake_start(linux_routes, 2);
	char *env[] = {NULL};
	struct engine_registry *r;
	struct engine_daemon *l, *w;

	desktop_contexts(fake_url(fs),
			 "unix:///tmp/mixcompose-no-such-dd.sock");
	r = build(NULL, 0, NULL, 0, env);
	engine_registry_probe(r, NULL);
	l = engine_registry_find(r, "linux");
	w = engine_registry_find(r, "windows");
	cr_assert(l->reachable);
	cr_assert_null(l->error, "%s", l->error);
	cr_assert_not(w->reachable);
	cr_assert(strstr(w->error, "Docker Desktop's Windows engine is not "
				   "running"),
		  "%s", w->error);
	cr_assert(strstr(w->error, "Switch to Windows containers"), "%s",
		  w->error);
	cr_assert(strstr(w->error, "no-such-dd.sock"), "%s", w->error);
	engine_registry_free(r);
	fake_stop(fs);
}

Test(engine_registry, desktop_windows_reporting_linux_is_an_error_unless_lab)
{
	struct fake_server *fs = fake_start(linux_routes, 2);
	char *env[] = {NULL};
	struct engine_registry *r;
	struct engine_daemon *w;

	desktop_contexts(fake_url(fs), fake_url(fs));
	r = build(NULL, 0, NULL, 0, env);
	engine_registry_probe(r, NULL);
	w = engine_registry_find(r, "windows");
	cr_assert_not_null(w->error);
	cr_assert(strstr(w->error, "declared os 'windows' but reports 'linux'"),
		  "%s", w->error);
	cr_assert_not(w->stand_in);
	engine_registry_free(r);

	add_context_meta("desktop-windows", fake_url(fs),
			 "{\"io.mixcompose.lab\":true}", false, false);
	r = build(NULL, 0, NULL, 0, env);
	engine_registry_probe(r, NULL);
	w = engine_registry_find(r, "windows");
	cr_assert_null(w->error, "%s", w->error);
	cr_assert(w->stand_in);
	cr_assert_str_eq(w->os, "windows");
	engine_registry_free(r);
	fake_stop(fs);
}
