/*
 * The tar that the archive API gets for a container's hosts file, read
 * back with libarchive itself; and the reading of the tar a daemon sends.
 */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

static const char hosts[] = "127.0.0.1 localhost\r\n"
			    "10.1.1.1 mine\r\n"
			    "# mixcompose begin\r\n"
			    "172.30.0.2 mixlab-nginx-1 nginx # mixcompose\r\n"
			    "# mixcompose end\r\n";

Test(engine_file_edit, the_tar_holds_exactly_the_file)
{
	struct diag err = {0};
	char *tar = NULL, buf[512];
	size_t len = 0;
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	la_ssize_t n;

	cr_assert_eq(engine_file_tar(&tar, &len, "hosts", hosts, strlen(hosts),
				     &err),
		     0, "%s", err.msg);
	cr_assert_eq(len % 512, 0, "whole tar blocks");
	archive_read_support_format_tar(a);
	cr_assert_eq(archive_read_open_memory(a, tar, len), ARCHIVE_OK);
	cr_assert_eq(archive_read_next_header(a, &e), ARCHIVE_OK);
	cr_assert_str_eq(archive_entry_pathname(e), "hosts");
	cr_assert_eq(archive_entry_filetype(e), AE_IFREG);
	cr_assert_eq(archive_entry_perm(e), 0644);
	cr_assert_eq(archive_entry_uid(e), 0);
	cr_assert_eq(archive_entry_gid(e), 0);
	cr_assert_eq(archive_entry_size(e), (la_int64_t)strlen(hosts));
	n = archive_read_data(a, buf, sizeof(buf));
	cr_assert_eq(n, (la_ssize_t)strlen(hosts));
	cr_assert_eq(memcmp(buf, hosts, strlen(hosts)), 0,
		     "the bytes, CRLF included, as given");
	cr_assert_eq(archive_read_next_header(a, &e), ARCHIVE_EOF,
		     "one entry and no other");
	archive_read_free(a);
	free(tar);
}

Test(engine_file_edit, reads_the_file_back_by_its_base_name)
{
	struct diag err = {0};
	char *tar = NULL, *text = NULL;
	size_t len = 0, tlen = 0;

	cr_assert_eq(engine_file_tar(&tar, &len, "hosts", hosts, strlen(hosts),
				     &err),
		     0, "%s", err.msg);
	cr_assert_eq(engine_tar_file(&text, &tlen, tar, len, "hosts", &err), 0,
		     "%s", err.msg);
	cr_assert_eq(tlen, strlen(hosts));
	cr_assert_str_eq(text, hosts);
	free(text);
	cr_assert_eq(engine_tar_file(&text, &tlen, tar, len, "other", &err),
		     DIAG_ENOTFOUND);
	cr_assert_null(text);
	cr_assert_eq(engine_tar_file(&text, &tlen, "not a tar at all", 16,
				     "hosts", &err),
		     DIAG_ESYNTAX);
	free(tar);
}

Test(engine_file_edit, empty_file)
{
	struct diag err = {0};
	char *tar = NULL, *text = NULL;
	size_t len = 0, tlen = 7;

	cr_assert_eq(engine_file_tar(&tar, &len, "hosts", "", 0, &err), 0);
	cr_assert_eq(engine_tar_file(&text, &tlen, tar, len, "hosts", &err), 0,
		     "%s", err.msg);
	cr_assert_eq(tlen, 0);
	cr_assert_str_eq(text, "");
	free(text);
	free(tar);
}

Test(engine_file_edit, refusals_and_failures)
{
	cr_assert(engine_file_edit_refused(DIAG_EENGINE));
	cr_assert(engine_file_edit_refused(DIAG_ENOTFOUND));
	cr_assert_not(engine_file_edit_refused(DIAG_ETRANSPORT));
	cr_assert_not(engine_file_edit_refused(0));
}

/*
 * Secrets and configs: several files in one tar, each at its path under
 * / (the leading '/' dropped), with its own mode and owner.
 */
Test(engine_file_edit, files_keep_path_mode_and_owner)
{
	static const char big[] = "a long secret value that needs its own "
				  "block of the tar and then some more";
	const struct engine_file f[] = {
		{"/run/secrets/tok", "tok-1", 5, 0400, 1000, 1001},
		{"/etc/app/app.conf", big, sizeof(big) - 1, 0640, 0, 0},
	};
	struct diag err = {0};
	char *tar = NULL, buf[256];
	size_t len = 0;
	struct archive *a = archive_read_new();
	struct archive_entry *e;

	cr_assert_eq(engine_files_tar(&tar, &len, f, 2, &err), 0, "%s",
		     err.msg);
	archive_read_support_format_tar(a);
	cr_assert_eq(archive_read_open_memory(a, tar, len), ARCHIVE_OK);
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(archive_read_next_header(a, &e), ARCHIVE_OK);
		cr_assert_str_eq(archive_entry_pathname(e), f[i].path + 1);
		cr_assert_eq(archive_entry_perm(e), f[i].mode);
		cr_assert_eq(archive_entry_uid(e), f[i].uid);
		cr_assert_eq(archive_entry_gid(e), f[i].gid);
		cr_assert_eq(archive_read_data(a, buf, sizeof(buf)),
			     (la_ssize_t)f[i].len);
		cr_assert_eq(memcmp(buf, f[i].data, f[i].len), 0);
	}
	cr_assert_eq(archive_read_next_header(a, &e), ARCHIVE_EOF);
	archive_read_free(a);
	free(tar);
}
