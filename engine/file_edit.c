/*
 * One file of a created container, rewritten through the archive API
 * (GET and PUT /containers/{id}/archive) before the container starts.
 * The tar going up and the one coming down are libarchive's work.
 */
/* engine_int.h first: curl's winsock2.h must come before archive.h's
 * windows.h in the Windows build. */
#include "engine/engine_int.h"
#include "engine/archive_api.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xalloc.h"

/* One regular file into 'a'; 0 or -1 (archive_error_string has why). */
static int tar_one(struct archive *a, const struct engine_file *f)
{
	struct archive_entry *e = archive_entry_new();
	const char *name = f->path;
	int rc = 0;

	while (*name == '/')
		name++;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, f->mode);
	archive_entry_set_uid(e, f->uid);
	archive_entry_set_gid(e, f->gid);
	archive_entry_set_size(e, (la_int64_t)f->len);
	archive_entry_set_mtime(e, time(NULL), 0);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (f->len &&
	     archive_write_data(a, f->data, f->len) != (la_ssize_t)f->len))
		rc = -1;
	archive_entry_free(e);
	return rc;
}

int engine_files_tar(char **out,
		     size_t *out_len,
		     const struct engine_file *files,
		     size_t n,
		     struct diag *err)
{
	/* Per file: its data padded, a header and a pax header with its
	 * name; then the end blocks, padding to a 10 KiB block. */
	size_t cap = 4 * 10240, used = 0;
	char *buf;
	struct archive *a;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	if ((rc = eng_archive_load(err)))
		return rc;
	for (size_t i = 0; i < n; i++)
		cap += files[i].len + 3 * 512 + 2 * strlen(files[i].path) +
		       1024;
	buf = xmalloc(cap);
	a = archive_write_new();
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_memory(a, buf, cap, &used) != ARCHIVE_OK)
		rc = -1;
	for (size_t i = 0; !rc && i < n; i++)
		rc = tar_one(a, &files[i]);
	if (rc || archive_write_close(a) != ARCHIVE_OK)
		rc = diag_set(err, DIAG_EIO, NULL, "tar of '%s': %s",
			      n ? files[0].path : "", archive_error_string(a));
	archive_write_free(a);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = used;
	return 0;
}

int engine_file_tar(char **out,
		    size_t *out_len,
		    const char *name,
		    const char *data,
		    size_t len,
		    struct diag *err)
{
	struct engine_file f = {name, data, len, 0644, 0, 0};

	return engine_files_tar(out, out_len, &f, 1, err);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int read_entry(struct sbuf *sb, struct archive *a)
{
	char buf[8192];
	la_ssize_t n;

	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
		sbuf_add(sb, buf, (size_t)n);
	return n < 0 ? -1 : 0;
}

int engine_tar_file(char **out,
		    size_t *out_len,
		    const char *tar,
		    size_t tar_len,
		    const char *name,
		    struct diag *err)
{
	struct sbuf sb = SBUF_INIT;
	struct archive *a;
	struct archive_entry *e;
	int rc = DIAG_ENOTFOUND, r;

	*out = NULL;
	*out_len = 0;
	if ((rc = eng_archive_load(err)))
		return rc;
	rc = DIAG_ENOTFOUND;
	a = archive_read_new();
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, tar, tar_len) != ARCHIVE_OK) {
		rc = diag_set(err, DIAG_ESYNTAX, NULL, "not a tar: %s",
			      archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (archive_entry_filetype(e) != AE_IFREG ||
		    strcmp(base_name(archive_entry_pathname(e)), name))
			continue;
		rc = read_entry(&sb, a) ? diag_set(err, DIAG_ESYNTAX, NULL,
						   "tar entry '%s': %s", name,
						   archive_error_string(a))
					: 0;
		break;
	}
	if (r != ARCHIVE_OK && r != ARCHIVE_EOF)
		rc = diag_set(err, DIAG_ESYNTAX, NULL, "not a tar: %s",
			      archive_error_string(a));
	else if (rc == DIAG_ENOTFOUND)
		diag_set(err, rc, NULL, "the tar has no file '%s'", name);
out:
	archive_read_free(a);
	if (rc) {
		sbuf_release(&sb);
		return rc;
	}
	*out_len = sb.len;
	*out = sbuf_detach(&sb, NULL);
	return 0;
}

bool engine_file_edit_refused(int rc)
{
	return rc == DIAG_EENGINE || rc == DIAG_ENOTFOUND;
}

/* ---- The two requests ------------------------------------------------- */

struct fedit {
	struct engine_loop *l;
	struct engine *e;
	char *id, *dir, *name;
	engine_file_edit_fn edit;
	void *edit_ud;
	engine_done_fn cb;
	void *ud;
	char *tar; /* the body of the PUT */
};

static void fedit_end(struct fedit *f, int rc, const struct diag *err)
{
	f->cb(f->ud, rc, rc ? err : NULL);
	free(f->id);
	free(f->dir);
	free(f->name);
	free(f->tar);
	free(f);
}

static void on_put(struct ereq *r, int rc, const struct diag *err)
{
	fedit_end(r->ctx, rc, err);
}

/* A 404 names either the container or the path: only the path is "empty". */
static bool file_missing(const struct ereq *r, int rc)
{
	return rc == DIAG_ENOTFOUND &&
	       !strstr(r->resp.buf ? r->resp.buf : "", "No such container");
}

static int put_new(struct fedit *f, const char *old, size_t len, struct diag *d)
{
	char *text = f->edit(f->edit_ud, old, len);
	size_t tar_len = 0;
	struct sbuf path = SBUF_INIT;
	struct ereq *q;
	int rc;

	if (!text || (strlen(text) == len && !memcmp(text, old, len))) {
		free(text);
		return 1; /* nothing to change */
	}
	rc = engine_file_tar(&f->tar, &tar_len, f->name, text, strlen(text), d);
	free(text);
	if (rc)
		return rc;
	eng_escape(&path, f->dir);
	q = ereq_new(f->l, f->e, "PUT", false, "/containers/%s/archive?path=%s",
		     f->id, path.buf);
	sbuf_release(&path);
	q->body = f->tar; /* the request frees it */
	f->tar = NULL;
	q->body_len = tar_len;
	q->content_type = "application/x-tar";
	ereq_start(q, on_put, f);
	return 0;
}

static void on_get(struct ereq *r, int rc, const struct diag *err)
{
	struct fedit *f = r->ctx;
	struct diag d = {0};
	char *old = NULL;
	size_t len = 0;

	if (rc && !file_missing(r, rc)) {
		fedit_end(f, rc, err);
		return;
	}
	if (!rc && (rc = engine_tar_file(&old, &len, r->resp.buf, r->resp.len,
					 f->name, &d))) {
		eng_req_error(r, &d, DIAG_EENGINE, "%ld: %s", r->status, d.msg);
		fedit_end(f, DIAG_EENGINE, &d);
		return;
	}
	rc = put_new(f, old ? old : "", len, &d);
	free(old);
	if (rc == 1)
		fedit_end(f, 0, NULL);
	else if (rc)
		fedit_end(f, rc, &d);
}

void engine_container_file_edit_async(struct engine_loop *l,
				      struct engine *e,
				      const char *id,
				      const char *dir,
				      const char *name,
				      engine_file_edit_fn edit,
				      void *edit_ud,
				      engine_done_fn cb,
				      void *ud)
{
	struct fedit *f = xcalloc(1, sizeof(*f));
	struct sbuf path = SBUF_INIT, full = SBUF_INIT;
	struct ereq *q;

	*f = (struct fedit){
		l,    e,       xstrdup(id), xstrdup(dir), xstrdup(name),
		edit, edit_ud, cb,	    ud,		  NULL};
	sbuf_addf(&full, "%s/%s", dir, name);
	eng_escape(&path, full.buf);
	q = ereq_new(l, e, "GET", false, "/containers/%s/archive?path=%s", id,
		     path.buf);
	sbuf_release(&path);
	sbuf_release(&full);
	ereq_start(q, on_get, f);
}

int engine_container_file_edit(struct engine *e,
			       const char *id,
			       const char *dir,
			       const char *name,
			       engine_file_edit_fn edit,
			       void *edit_ud,
			       struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_container_file_edit_async(eng_own_loop(e), e, id, dir, name,
					 edit, edit_ud, eng_sync_done_cb, &s);
	return eng_sync_run(e, &s);
}

/* ---- Files put in before the start (secrets, configs) ----------------- */

/*
 * One tar of 'files' put at the root: the archive PUT of `cp` (cp.c), so
 * the query is docker's own (noOverwriteDirNonDir, as the Go client sends
 * unless told otherwise, and copyUIDGID when the files carry owners).
 */
void engine_container_files_put_async(struct engine_loop *l,
				      struct engine *e,
				      const char *id,
				      const struct engine_file *files,
				      size_t n,
				      bool owners,
				      engine_done_fn cb,
				      void *ud)
{
	char *tar = NULL;
	size_t tar_len = 0;
	struct diag d = {0};

	if (engine_files_tar(&tar, &tar_len, files, n, &d)) {
		eng_fail_done(ereq_new(l, e, "PUT", false,
				       "/containers/%s/archive", id),
			      cb, ud, DIAG_EIO, d.msg);
		return;
	}
	engine_container_archive_put_async(l, e, id, "/", tar, tar_len, owners,
					   cb, ud);
}
