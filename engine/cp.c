/*
 * Copies between a container and the local file system (`cp`), through
 * the archive API: HEAD /containers/{id}/archive?path=P (the path's stat,
 * in the X-Docker-Container-Path-Stat header: base64 of a JSON object),
 * GET (a tar of P, its top entry named after P's last element, "." for
 * "DIR/."), PUT (a tar extracted into the directory P).  The tars on our
 * side are libarchive's: read from the disk and written to it with modes
 * and times kept, owners only with --archive.
 */
/* engine_int.h first: curl's winsock2.h must come before archive.h's
 * windows.h in the Windows build. */
#include "engine/engine_int.h"
#include "engine/archive_api.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* ---- The path stat -------------------------------------------------- */

/* Go's os.FileMode bits that the header carries. */
#define GO_MODE_DIR (1u << 31)
#define GO_MODE_SYMLINK (1u << 27)

int engine_path_stat_parse(struct engine_path_stat *out,
			   const char *header,
			   struct diag *err)
{
	struct sbuf js = SBUF_INIT;
	cJSON *j = NULL;
	unsigned long mode;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!header || !*header || eng_base64_decode(&js, header) ||
	    !(j = cJSON_ParseWithLength(js.buf ? js.buf : "", js.len)) ||
	    !cJSON_IsObject(j)) {
		rc = diag_set(err, DIAG_ESYNTAX, NULL,
			      "the daemon sent no path stat");
		goto out;
	}
	ej_copy(out->name, sizeof(out->name), j, "name");
	ej_copy(out->link_target, sizeof(out->link_target), j, "linkTarget");
	out->size = ej_int(j, "size", 0);
	mode = (unsigned long)ej_int(j, "mode", 0);
	out->is_dir = (mode & GO_MODE_DIR) != 0;
	out->is_link = (mode & GO_MODE_SYMLINK) != 0;
	out->perm = (unsigned)(mode & 07777);
	out->exists = true;
out:
	cJSON_Delete(j);
	sbuf_release(&js);
	return rc;
}

struct copy_ctx {
	engine_path_stat_fn stat_cb;
	engine_archive_fn get_cb;
	void *ud;
};

static void stat_done(struct ereq *r, int rc, const struct diag *err)
{
	struct copy_ctx *c = r->ctx;
	struct engine_path_stat st = {0};
	struct diag d = {0};

	if (!rc && engine_path_stat_parse(&st, r->path_stat, &d)) {
		rc = eng_req_error(r, &d, DIAG_EENGINE, "%ld: %s", r->status,
				   "no X-Docker-Container-Path-Stat header");
		err = &d;
	}
	c->stat_cb(c->ud, rc, &st, rc ? err : NULL);
	free(c);
}

static struct ereq *archive_req(struct engine_loop *l,
				struct engine *e,
				const char *method,
				const char *id,
				const char *path,
				const char *more)
{
	struct sbuf q = SBUF_INIT;
	struct ereq *r;

	sbuf_adds(&q, "?path=");
	eng_escape(&q, path);
	sbuf_adds(&q, more);
	r = eng_id_req(l, e, method, id, "/archive", q.buf);
	sbuf_release(&q);
	return r;
}

void engine_container_path_stat_async(struct engine_loop *l,
				      struct engine *e,
				      const char *id,
				      const char *path,
				      engine_path_stat_fn cb,
				      void *ud)
{
	struct copy_ctx *c = xcalloc(1, sizeof(*c));

	c->stat_cb = cb;
	c->ud = ud;
	ereq_start(archive_req(l, e, "HEAD", id, path, ""), stat_done, c);
}

static void get_done(struct ereq *r, int rc, const struct diag *err)
{
	struct copy_ctx *c = r->ctx;
	struct engine_path_stat st = {0};
	struct diag d = {0};

	if (!rc)
		engine_path_stat_parse(&st, r->path_stat, &d);
	c->get_cb(c->ud, rc, rc ? NULL : r->resp.buf, rc ? 0 : r->resp.len, &st,
		  rc ? err : NULL);
	free(c);
}

void engine_container_archive_get_async(struct engine_loop *l,
					struct engine *e,
					const char *id,
					const char *path,
					engine_archive_fn cb,
					void *ud)
{
	struct copy_ctx *c = xcalloc(1, sizeof(*c));

	c->get_cb = cb;
	c->ud = ud;
	ereq_start(archive_req(l, e, "GET", id, path, ""), get_done, c);
}

void engine_container_archive_put_async(struct engine_loop *l,
					struct engine *e,
					const char *id,
					const char *dir,
					char *tar,
					size_t len,
					bool copy_uid_gid,
					engine_done_fn cb,
					void *ud)
{
	/* As docker cp: a directory never replaces a file, nor the reverse. */
	struct ereq *r = archive_req(l, e, "PUT", id, dir,
				     copy_uid_gid ? "&noOverwriteDirNonDir=1"
						    "&copyUIDGID=1"
						  : "&noOverwriteDirNonDir=1");

	r->body = tar; /* the request frees it */
	r->body_len = len;
	r->content_type = "application/x-tar";
	eng_call_done(r, cb, ud);
}

/* ---- Tars on our side ------------------------------------------------ */

/* 'path' with its first element replaced by 'as' (NULL: kept). */
static void
rebase(struct sbuf *out, const char *prefix, const char *path, const char *as)
{
	const char *rest = path;

	if (prefix)
		sbuf_addf(out, "%s/", prefix);
	if (as) {
		rest = strchr(path, '/');
		sbuf_adds(out, as);
	}
	if (rest)
		sbuf_adds(out, rest);
}

static int
ar_fail(struct archive *a, const char *what, const char *path, struct diag *err)
{
	const char *why = archive_error_string(a);

	return diag_set(err, DIAG_EIO, NULL, "%s '%s': %s", what, path,
			why ? why : "failed");
}

static la_ssize_t
tar_write_cb(struct archive *a, void *ud, const void *p, size_t n)
{
	(void)a;
	sbuf_add(ud, p, n);
	return (la_ssize_t)n;
}

/* One entry of the walk: its header, then a regular file's bytes. */
static int tar_entry(struct archive *w,
		     struct archive *disk,
		     struct archive_entry *e,
		     const struct engine_tar_src *src,
		     size_t src_len,
		     struct diag *err)
{
	struct sbuf name = SBUF_INIT;
	const char *path = archive_entry_pathname(e);
	char buf[16384];
	la_ssize_t n;
	int rc = 0;

	sbuf_adds(&name, src->as);
	sbuf_adds(&name, path + src_len);
	archive_entry_set_pathname(e, name.buf);
	if (!src->keep_owner) {
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
	}
	if (archive_write_header(w, e) != ARCHIVE_OK)
		rc = ar_fail(w, "tar of", path, err);
	while (!rc && archive_entry_filetype(e) == AE_IFREG &&
	       (n = archive_read_data(disk, buf, sizeof(buf))) != 0)
		if (n < 0 || archive_write_data(w, buf, (size_t)n) != n)
			rc = ar_fail(n < 0 ? disk : w, "read of", path, err);
	sbuf_release(&name);
	return rc;
}

int engine_tar_local(char **out,
		     size_t *out_len,
		     const struct engine_tar_src *src,
		     struct diag *err)
{
	struct sbuf tar = SBUF_INIT;
	struct archive *w, *disk;
	struct archive_entry *e;
	size_t src_len = strlen(src->path);
	int rc, r;

	*out = NULL;
	*out_len = 0;
	if ((rc = eng_archive_load(err)))
		return rc;
	w = archive_write_new();
	disk = archive_read_disk_new();
	e = archive_entry_new();
	/* -L follows the source itself if it is a link, not links below. */
	if (src->follow_link)
		archive_read_disk_set_symlink_hybrid(disk);
	else
		archive_read_disk_set_symlink_physical(disk);
	if (archive_write_set_format_pax_restricted(w) != ARCHIVE_OK ||
	    archive_write_open(w, &tar, NULL, tar_write_cb, NULL) !=
		    ARCHIVE_OK) {
		rc = ar_fail(w, "tar of", src->path, err);
		goto out;
	}
	if (archive_read_disk_open(disk, src->path) != ARCHIVE_OK) {
		rc = ar_fail(disk, "cannot read", src->path, err);
		goto out;
	}
	while (!rc && (r = archive_read_next_header2(disk, e)) != ARCHIVE_EOF) {
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			rc = ar_fail(disk, "cannot read", src->path, err);
			break;
		}
		rc = tar_entry(w, disk, e, src, src_len, err);
		archive_read_disk_descend(disk);
	}
	if (!rc && archive_write_close(w) != ARCHIVE_OK)
		rc = ar_fail(w, "tar of", src->path, err);
out:
	archive_entry_free(e);
	archive_read_free(disk);
	archive_write_free(w);
	if (rc) {
		sbuf_release(&tar);
		return rc;
	}
	*out_len = tar.len;
	*out = sbuf_detach(&tar, NULL);
	return 0;
}

/* Extracts the current entry of 'rd' under 'dir', its top renamed. */
static int untar_entry(struct archive *rd,
		       struct archive *disk,
		       struct archive_entry *e,
		       const char *dir,
		       const char *as,
		       struct diag *err)
{
	struct sbuf path = SBUF_INIT, link = SBUF_INIT;
	const char *hl = archive_entry_hardlink(e);
	const void *block;
	size_t size;
	la_int64_t off;
	int rc = 0, r;

	rebase(&path, dir, archive_entry_pathname(e), as);
	archive_entry_set_pathname(e, path.buf);
	if (hl) {
		rebase(&link, dir, hl, as);
		archive_entry_set_hardlink(e, link.buf);
	}
	if (archive_write_header(disk, e) != ARCHIVE_OK)
		rc = ar_fail(disk, "cannot write", path.buf, err);
	while (!rc && archive_entry_size(e) > 0 &&
	       (r = archive_read_data_block(rd, &block, &size, &off)) !=
		       ARCHIVE_EOF)
		if (r != ARCHIVE_OK ||
		    archive_write_data_block(disk, block, size, off) !=
			    ARCHIVE_OK)
			rc = ar_fail(r != ARCHIVE_OK ? rd : disk,
				     "cannot write", path.buf, err);
	if (!rc && archive_write_finish_entry(disk) != ARCHIVE_OK)
		rc = ar_fail(disk, "cannot write", path.buf, err);
	sbuf_release(&path);
	sbuf_release(&link);
	return rc;
}

int engine_untar_local(const char *tar,
		       size_t len,
		       const char *dir,
		       const char *as,
		       struct diag *err)
{
	struct archive *rd, *disk;
	struct archive_entry *e;
	int rc, r;

	if ((rc = eng_archive_load(err)))
		return rc;
	rd = archive_read_new();
	disk = archive_write_disk_new();
	archive_read_support_format_tar(rd);
	/* Modes and times kept; no owners (docker cp does not chown); no
	 * entry may climb out of 'dir' or through a link. */
	archive_write_disk_set_options(
		disk, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
			      ARCHIVE_EXTRACT_SECURE_SYMLINKS |
			      ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	if (archive_read_open_memory(rd, tar, len) != ARCHIVE_OK) {
		rc = diag_set(err, DIAG_ESYNTAX, NULL, "not a tar: %s",
			      archive_error_string(rd));
		goto out;
	}
	while (!rc && (r = archive_read_next_header(rd, &e)) != ARCHIVE_EOF) {
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			rc = diag_set(err, DIAG_ESYNTAX, NULL, "not a tar: %s",
				      archive_error_string(rd));
			break;
		}
		rc = untar_entry(rd, disk, e, dir, as, err);
	}
	if (!rc && archive_write_close(disk) != ARCHIVE_OK)
		rc = ar_fail(disk, "cannot write", dir, err);
out:
	archive_write_free(disk);
	archive_read_free(rd);
	return rc;
}
