/*
 * Docker contexts on disk, laid out as the docker CLI writes them:
 * config.json holds "currentContext"; contexts/meta/<sha256 of the name>/
 * meta.json holds the endpoint; contexts/tls/<sha256>/docker/ the TLS files.
 */
#include "engine/engine_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/sha256.h"

static int read_file(struct sbuf *out, const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[4096];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(out, buf, n);
	fclose(f);
	return 0;
}

int engine_context_current(char *out,
			   size_t size,
			   const char *config_dir,
			   struct diag *err)
{
	struct sbuf path = SBUF_INIT, text = SBUF_INIT;
	cJSON *j;
	int rc = 0;

	out[0] = '\0';
	sbuf_addf(&path, "%s/config.json", config_dir);
	if (read_file(&text, path.buf)) {
		/* No config.json is the normal case: no current context. */
		rc = errno == ENOENT ? 0
				     : diag_set(err, DIAG_EIO, NULL,
						"cannot read '%s': %s",
						path.buf, strerror(errno));
		goto out;
	}
	j = cJSON_ParseWithLength(text.buf, text.len);
	if (!j) {
		rc = diag_set(err, DIAG_ESYNTAX, NULL, "'%s' is not JSON",
			      path.buf);
		goto out;
	}
	if (ej_str(j, "currentContext"))
		snprintf(out, size, "%s", ej_str(j, "currentContext"));
	cJSON_Delete(j);
out:
	sbuf_release(&path);
	sbuf_release(&text);
	return rc;
}

static bool tls_dir_has_files(const char *dir)
{
	static const char *const files[] = {"ca.pem", "cert.pem", "key.pem"};
	char path[2048];

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (access(path, R_OK) == 0)
			return true;
	}
	return false;
}

int engine_context_read(struct engine_context *out,
			const char *config_dir,
			const char *name,
			struct diag *err)
{
	struct sbuf path = SBUF_INIT, text = SBUF_INIT;
	char hex[SHA256_HEX_LEN + 1];
	const cJSON *docker;
	const char *host;
	cJSON *j = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	sha256_hex(hex, name, strlen(name));
	sbuf_addf(&path, "%s/contexts/meta/%s/meta.json", config_dir, hex);
	if (read_file(&text, path.buf)) {
		rc = diag_set(err, DIAG_ENOTFOUND, NULL,
			      "docker context '%s' not found (no %s)", name,
			      path.buf);
		goto out;
	}
	j = cJSON_ParseWithLength(text.buf, text.len);
	docker = ej_obj(ej_obj(j, "Endpoints"), "docker");
	host = ej_str(docker, "Host");
	if (!j || !host) {
		rc = diag_set(err, DIAG_ESYNTAX, NULL,
			      "docker context '%s': '%s' has no "
			      "Endpoints.docker.Host",
			      name, path.buf);
		goto out;
	}
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->host, sizeof(out->host), "%s", host);
	out->skip_tls_verify = ej_bool(docker, "SkipTLSVerify");
	out->lab = ej_bool(ej_obj(j, "Metadata"), "io.mixcompose.lab");
	snprintf(out->tls_dir, sizeof(out->tls_dir),
		 "%s/contexts/tls/%s/docker", config_dir, hex);
	out->has_tls = tls_dir_has_files(out->tls_dir);
	if (!out->has_tls)
		out->tls_dir[0] = '\0';
out:
	cJSON_Delete(j);
	sbuf_release(&path);
	sbuf_release(&text);
	return rc;
}

char *engine_config_auths(const char *config_dir, struct diag *err)
{
	struct sbuf path = SBUF_INIT, text = SBUF_INIT;
	cJSON *j = NULL, *out = cJSON_CreateObject();
	const cJSON *auths;
	char *s = NULL;

	sbuf_addf(&path, "%s/config.json", config_dir);
	if (read_file(&text, path.buf)) {
		if (errno != ENOENT) {
			diag_set(err, DIAG_EIO, NULL, "cannot read '%s': %s",
				 path.buf, strerror(errno));
			goto done;
		}
	} else if (!(j = cJSON_ParseWithLength(text.buf, text.len))) {
		diag_set(err, DIAG_ESYNTAX, NULL, "'%s' is not JSON", path.buf);
		goto done;
	}
	auths = cJSON_GetObjectItemCaseSensitive(j, "auths");
	cJSON_AddItemToObject(out, "auths",
			      cJSON_IsObject(auths) ? cJSON_Duplicate(auths, 1)
						    : cJSON_CreateObject());
	s = cJSON_Print(out);
done:
	cJSON_Delete(j);
	cJSON_Delete(out);
	sbuf_release(&path);
	sbuf_release(&text);
	return s;
}
