/*
 * TLS is never silently off: every way of asking for verification (the
 * compose file, --daemon, MIXCOMPOSE_DAEMON_*, DOCKER_TLS_VERIFY, contexts)
 * gives TLS with the docker CLI's cert directory, and a missing certificate
 * file or a plaintext endpoint is an error naming the daemon.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "fake_server.h"
#include "util/sha256.h"

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[640];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mixtls.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(engine_tls, .init = setup, .fini = teardown);

static struct engine_registry *reg(const char *const *flags,
				   size_t nf,
				   const struct engine_daemon_decl *decls,
				   size_t nd,
				   char *const *env)
{
	struct engine_registry_opts o = {.flags = flags,
					 .n_flags = nf,
					 .decls = decls,
					 .n_decls = nd,
					 .environ_ = env,
					 .docker_config = dir};
	struct engine_registry *r = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_registry_new(&r, &o, &err), 0, "%s", err.msg);
	return r;
}

/* The entry's engine cannot be made; returns the reason. */
static void engine_fails(struct engine_registry *r,
			 const char *name,
			 char *msg,
			 size_t size)
{
	struct engine_daemon *d = engine_registry_find(r, name);
	struct diag err = {0};

	cr_assert_not_null(d);
	cr_assert_null(engine_registry_engine(r, d, &err),
		       "daemon '%s' got an engine", name);
	snprintf(msg, size, "%s", err.msg);
}

Test(engine_tls, flag_tlsverify_without_cert_uses_docker_cert_path)
{
	char certs[128], env0[160], *env[] = {env0, NULL}, msg[2048];
	const char *flags[] = {"win=tcp://127.0.0.1:2376,tlsverify=true"};
	struct engine_registry *r;
	struct engine_daemon *d;

	snprintf(certs, sizeof(certs), "%s/certs", dir);
	snprintf(env0, sizeof(env0), "DOCKER_CERT_PATH=%s", certs);
	r = reg(flags, 1, NULL, 0, env);
	d = engine_registry_find(r, "win");
	cr_assert(d->tls && d->tls_verify);
	cr_assert_str_eq(d->cert_path, certs);
	engine_fails(r, "win", msg, sizeof(msg));
	cr_assert(strstr(msg, "daemon 'win': could not read CA certificate '"),
		  "%s", msg);
	cr_assert(strstr(msg, "/certs/ca.pem'"), "%s", msg);
	engine_registry_free(r);
}

Test(engine_tls, file_tls_verify_without_cert_path_uses_the_config_dir)
{
	struct engine_daemon_decl decls[] = {{.name = "win",
					      .endpoint = "tcp://h:2376",
					      .tls_verify = true,
					      .tls_verify_set = true}};
	char *env[] = {NULL};
	struct engine_registry *r = reg(NULL, 0, decls, 1, env);
	struct engine_daemon *d = engine_registry_find(r, "win");

	cr_assert(d->tls && d->tls_verify);
	cr_assert_str_eq(d->cert_path, dir);
	engine_registry_free(r);
}

Test(engine_tls, file_cert_path_alone_verifies)
{
	struct engine_daemon_decl decls[] = {
		{.name = "win", .endpoint = "tcp://h:2376", .cert_path = "/c"},
		{.name = "lax",
		 .endpoint = "tcp://h:2376",
		 .cert_path = "/c",
		 .tls_verify_set = true}};
	char *env[] = {NULL};
	struct engine_registry *r = reg(NULL, 0, decls, 2, env);

	cr_assert(engine_registry_find(r, "win")->tls);
	cr_assert(engine_registry_find(r, "win")->tls_verify);
	cr_assert(engine_registry_find(r, "lax")->tls);
	cr_assert_not(engine_registry_find(r, "lax")->tls_verify);
	engine_registry_free(r);
}

Test(engine_tls, env_daemon_tlsverify_is_tls)
{
	char *env[] = {"MIXCOMPOSE_DAEMON_WIN=tcp://h:2376,tlsverify=1",
		       "HOME=/home/u", NULL};
	struct engine_registry *r = reg(NULL, 0, NULL, 0, env);
	struct engine_daemon *d = engine_registry_find(r, "win");

	cr_assert(d->tls && d->tls_verify);
	cr_assert_str_eq(d->cert_path, dir);
	engine_registry_free(r);
}

Test(engine_tls, plain_tcp_stays_plain)
{
	char *env[] = {NULL};
	const char *flags[] = {"a=tcp://h:2375",
			       "b=tcp://h:2375,tlsverify=false"};
	struct engine_registry *r = reg(flags, 2, NULL, 0, env);

	cr_assert_not(engine_registry_find(r, "a")->tls);
	cr_assert_not(engine_registry_find(r, "b")->tls);
	engine_registry_free(r);
}

Test(engine_tls, cert_tilde_is_home)
{
	char *env[] = {"HOME=/home/u", NULL};
	const char *flags[] = {"win=tcp://h:2376,cert=~/certs/win",
			       "w2=tcp://h:2376,cert=~other/x"};
	struct engine_registry *r = reg(flags, 2, NULL, 0, env);

	cr_assert_str_eq(engine_registry_find(r, "win")->cert_path,
			 "/home/u/certs/win");
	cr_assert_str_eq(engine_registry_find(r, "w2")->cert_path, "~other/x");
	engine_registry_free(r);
}

/* The docker CLI: any non-empty DOCKER_TLS_VERIFY, "0" too, means verify. */
Test(engine_tls, docker_tls_verify_zero_still_verifies)
{
	char *env[] = {"DOCKER_HOST=tcp://h:2376", "DOCKER_TLS_VERIFY=0", NULL};
	struct engine_registry *r = reg(NULL, 0, NULL, 0, env);
	struct engine_daemon *d = engine_registry_find(r, "default");

	cr_assert(d->tls && d->tls_verify);
	cr_assert_str_eq(d->cert_path, dir);
	engine_registry_free(r);
}

Test(engine_tls, docker_tls_is_tls_without_verification)
{
	char *env[] = {"DOCKER_HOST=tcp://h:2376", "DOCKER_TLS=1", NULL};
	struct engine_registry *r = reg(NULL, 0, NULL, 0, env);
	struct engine_daemon *d = engine_registry_find(r, "default");

	cr_assert(d->tls);
	cr_assert_not(d->tls_verify);
	engine_registry_free(r);
}

Test(engine_tls, docker_tls_verify_with_missing_files_names_each)
{
	char env0[160], *env[] = {"DOCKER_HOST=tcp://127.0.0.1:2376",
				  "DOCKER_TLS_VERIFY=1", env0, NULL};
	struct engine_registry *r;
	char msg[2048];

	snprintf(env0, sizeof(env0), "DOCKER_CERT_PATH=%s", dir);
	r = reg(NULL, 0, NULL, 0, env);
	engine_fails(r, "default", msg, sizeof(msg));
	cr_assert(strstr(msg, "could not read CA certificate"), "%s", msg);
	engine_registry_free(r);
	put("ca.pem", "x\n");
	r = reg(NULL, 0, NULL, 0, env);
	engine_fails(r, "default", msg, sizeof(msg));
	cr_assert(strstr(msg, "could not read client certificate '"), "%s",
		  msg);
	cr_assert(strstr(msg, "/cert.pem': No such file"), "%s", msg);
	engine_registry_free(r);
	put("cert.pem", "x\n");
	r = reg(NULL, 0, NULL, 0, env);
	engine_fails(r, "default", msg, sizeof(msg));
	cr_assert(strstr(msg, "daemon 'default': could not read client key '"),
		  "%s", msg);
	engine_registry_free(r);
}

/* A missing file makes the daemon unreachable, with the file named. */
Test(engine_tls, probe_reports_the_missing_file)
{
	char flag[256], *env[] = {NULL};
	const char *flags[] = {flag};
	struct engine_registry *r;
	struct engine_daemon *d;

	snprintf(flag, sizeof(flag), "win=tcp://127.0.0.1:1,cert=%s/none", dir);
	r = reg(flags, 1, NULL, 0, env);
	engine_registry_probe(r, NULL);
	d = engine_registry_find(r, "win");
	cr_assert_not(d->reachable);
	cr_assert(strstr(d->error, "could not read CA certificate"), "%s",
		  d->error);
	engine_registry_free(r);
}

/* mkdir -p */
static void mkdirs(const char *path)
{
	char buf[512];

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

/* A context as the docker CLI writes it; 'ca': its TLS dir holds ca.pem. */
static void add_context(const char *name, bool skip, bool ca)
{
	char hex[SHA256_HEX_LEN + 1], sub[512], json[512];

	sha256_hex(hex, name, strlen(name));
	snprintf(sub, sizeof(sub), "%s/contexts/meta/%s", dir, hex);
	mkdirs(sub);
	snprintf(sub, sizeof(sub), "contexts/meta/%s/meta.json", hex);
	snprintf(json, sizeof(json),
		 "{\"Name\":\"%s\",\"Endpoints\":{\"docker\":{\"Host\":"
		 "\"tcp://127.0.0.1:2376\",\"SkipTLSVerify\":%s}}}",
		 name, skip ? "true" : "false");
	put(sub, json);
	if (!ca)
		return;
	snprintf(sub, sizeof(sub), "%s/contexts/tls/%s/docker", dir, hex);
	mkdirs(sub);
	snprintf(sub, sizeof(sub), "contexts/tls/%s/docker/ca.pem", hex);
	put(sub, "x\n");
}

/* As the docker CLI: SkipTLSVerify alone is TLS without verification. */
Test(engine_tls, context_skip_tls_verify_is_still_tls)
{
	char *env[] = {NULL};
	const char *flags[] = {"a=context:skip"};
	struct engine_registry *r;
	struct engine_daemon *d;

	add_context("skip", true, false);
	r = reg(flags, 1, NULL, 0, env);
	d = engine_registry_find(r, "a");
	cr_assert(d->tls);
	cr_assert_not(d->tls_verify);
	engine_registry_free(r);
}

/* A context's TLS dir may hold only some files (the CLI stores those). */
Test(engine_tls, context_with_only_a_ca_makes_an_engine)
{
	char *env[] = {NULL};
	const char *flags[] = {"a=context:ca"};
	struct engine_registry *r;
	struct engine_daemon *d;
	struct diag err = {0};

	add_context("ca", false, true);
	r = reg(flags, 1, NULL, 0, env);
	d = engine_registry_find(r, "a");
	cr_assert(d->tls && d->tls_verify);
	cr_assert_not_null(engine_registry_engine(r, d, &err), "%s", err.msg);
	engine_registry_free(r);
}

/* A plaintext server where TLS was asked: a TLS error, never an answer. */
Test(engine_tls, plaintext_endpoint_is_a_tls_error)
{
	static const struct fake_route routes[] = {
		{.path = "/_ping", .fixture = "ping.http"},
	};
	struct fake_server *fs = fake_start_tcp(routes, 1);
	struct engine_config cfg = {.name = "win",
				    .url = fake_url(fs),
				    .tls = true,
				    .tls_verify = false};
	struct engine *e = NULL;
	struct diag err = {0};

	cr_assert_eq(engine_new(&e, &cfg, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_ping(e, NULL, &err), DIAG_ETRANSPORT);
	cr_assert(strstr(err.msg, "daemon 'win': GET /_ping: cannot connect "
				  "to tcp://127.0.0.1:"),
		  "%s", err.msg);
	cr_assert(strstr(err.msg, "TLS handshake failed"), "%s", err.msg);
	cr_assert_eq(fake_requests(fs), 0);
	engine_free(e);
	fake_stop(fs);
}
