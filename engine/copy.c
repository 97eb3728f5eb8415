/*
 * Files copied into a container (watch's sync): a tar of host files made
 * with libarchive, PUT to /containers/{id}/archive.
 */
/* engine_int.h first: curl's winsock2.h must come before archive.h's
 * windows.h in the Windows build. */
#include "engine/engine_int.h"
#include "engine/archive_api.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat/compat.h"
#include "util/xalloc.h"

struct copy_tar {
	struct archive *a;
	char *buf;
	size_t cap, used;
	struct diag *err;
};

static int copy_data(struct copy_tar *t, const char *host, const char *name)
{
	char buf[65536];
	int fd = compat_open_read(host);
	ssize_t n;

	if (fd < 0)
		return diag_set(t->err, DIAG_EIO, NULL, "cannot read '%s': %s",
				host, strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(t->a, buf, (size_t)n) != n) {
			close(fd);
			return diag_set(t->err, DIAG_EIO, NULL,
					"tar of '%s': %s", name,
					archive_error_string(t->a));
		}
	close(fd);
	return n < 0 ? diag_set(t->err, DIAG_EIO, NULL, "cannot read '%s': %s",
				host, strerror(errno))
		     : 0;
}

/* One file or directory (not what is in it), owner root, mode kept. */
static int add_path(struct copy_tar *t, const char *host, const char *name)
{
	struct archive_entry *e;
	struct stat st;
	char target[4096];
	int rc = 0;

	if (compat_lstat(host, &st))
		return errno == ENOENT ? 0 /* gone meanwhile */
				       : diag_set(t->err, DIAG_EIO, NULL,
						  "cannot stat '%s': %s", host,
						  strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
	    !compat_is_link(&st))
		return 0;
	e = archive_entry_new();
	archive_entry_copy_stat(e, &st);
	archive_entry_set_pathname(e, name);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_nlink(e, 1);
	if (compat_is_link(&st)) {
		int len = compat_readlink(host, target, sizeof(target));

		archive_entry_set_symlink(e, len < 0 ? "" : target);
		archive_entry_set_size(e, 0);
	} else if (!S_ISREG(st.st_mode)) {
		archive_entry_set_size(e, 0);
	}
	if (archive_write_header(t->a, e) != ARCHIVE_OK)
		rc = diag_set(t->err, DIAG_EIO, NULL, "tar of '%s': %s", name,
			      archive_error_string(t->a));
	else if (S_ISREG(st.st_mode))
		rc = copy_data(t, host, name);
	archive_entry_free(e);
	return rc;
}

/* What the tar may take: the file's data and a few headers of room. */
static size_t tar_room(const char *host)
{
	struct stat st;

	if (compat_lstat(host, &st) || !S_ISREG(st.st_mode))
		return 8192;
	return 8192 + (size_t)st.st_size;
}

int engine_copy_tar(char **out,
		    size_t *out_len,
		    const struct engine_copy_file *v,
		    size_t n,
		    struct diag *err)
{
	struct copy_tar t = {.err = err, .cap = 4 * 10240};
	int rc;

	*out = NULL;
	*out_len = 0;
	if ((rc = eng_archive_load(err)))
		return rc;
	for (size_t i = 0; i < n; i++)
		t.cap += tar_room(v[i].host);
	t.buf = xmalloc(t.cap);
	t.a = archive_write_new();
	if (archive_write_set_format_pax_restricted(t.a) != ARCHIVE_OK ||
	    archive_write_open_memory(t.a, t.buf, t.cap, &t.used) != ARCHIVE_OK)
		rc = diag_set(err, DIAG_EIO, NULL, "tar: %s",
			      archive_error_string(t.a));
	for (size_t i = 0; !rc && i < n; i++)
		rc = add_path(&t, v[i].host, v[i].name);
	if (!rc && archive_write_close(t.a) != ARCHIVE_OK)
		rc = diag_set(err, DIAG_EIO, NULL, "tar: %s",
			      archive_error_string(t.a));
	archive_write_free(t.a);
	if (rc) {
		free(t.buf);
		return rc;
	}
	*out = t.buf;
	*out_len = t.used;
	return 0;
}

/*
 * The synchronous form of engine_container_archive_put_async, with the
 * query every docker client sends (noOverwriteDirNonDir), as compose v2's
 * watch does.
 */
int engine_container_archive_put(struct engine *e,
				 const char *id,
				 const char *dir,
				 char *tar,
				 size_t len,
				 struct diag *err)
{
	struct eng_sync s = {.err = err};

	engine_container_archive_put_async(eng_own_loop(e), e, id, dir, tar,
					   len, false, eng_sync_done_cb, &s);
	return eng_sync_run(e, &s);
}
