/* libarchive, loaded on first use: see engine/archive_api.h. */
#define ENG_ARCHIVE_LOAD_C
#include "engine/archive_api.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "util/xalloc.h"

#define ENG_LIBARCHIVE "archive" /* libarchive.so.13, libarchive-13.dll */
#define ENG_LIBARCHIVE_ABI 13

struct eng_archive_api eng_ar;

static const struct {
	const char *name;
	size_t off;
} syms[] = {
#define SYM(fn)                                                                \
	{                                                                      \
#fn, offsetof(struct eng_archive_api, fn)                      \
	}
	SYM(archive_write_new),
	SYM(archive_write_set_format_pax_restricted),
	SYM(archive_write_open_FILE),
	SYM(archive_write_header),
	SYM(archive_write_data),
	SYM(archive_write_close),
	SYM(archive_write_free),
	SYM(archive_error_string),
	SYM(archive_entry_new),
	SYM(archive_entry_free),
	SYM(archive_entry_set_pathname),
	SYM(archive_entry_set_size),
	SYM(archive_entry_set_filetype),
	SYM(archive_entry_set_perm),
	SYM(archive_entry_set_uid),
	SYM(archive_entry_set_gid),
	SYM(archive_entry_set_nlink),
	SYM(archive_entry_set_symlink),
	SYM(archive_entry_copy_stat),
	SYM(archive_write_open_memory),
	SYM(archive_entry_set_mtime),
	SYM(archive_read_new),
	SYM(archive_read_support_format_tar),
	SYM(archive_read_open_memory),
	SYM(archive_read_next_header),
	SYM(archive_read_data),
	SYM(archive_read_free),
	SYM(archive_entry_filetype),
	SYM(archive_entry_pathname),
	SYM(archive_read_disk_new),
	SYM(archive_read_disk_set_symlink_hybrid),
	SYM(archive_read_disk_set_symlink_physical),
	SYM(archive_write_open),
	SYM(archive_read_disk_open),
	SYM(archive_read_next_header2),
	SYM(archive_read_disk_descend),
	SYM(archive_entry_hardlink),
	SYM(archive_entry_set_hardlink),
	SYM(archive_entry_size),
	SYM(archive_read_data_block),
	SYM(archive_write_data_block),
	SYM(archive_write_finish_entry),
	SYM(archive_write_disk_new),
	SYM(archive_write_disk_set_options),
#undef SYM
};

_Static_assert(sizeof(struct eng_archive_api) ==
		       sizeof(syms) / sizeof(syms[0]) * sizeof(void *),
	       "every field of struct eng_archive_api has a symbol");

int eng_archive_load(struct diag *err)
{
	static void *lib;
	const char *path = getenv("MIXCOMPOSE_LIBARCHIVE");
	char name[64], why[512];

	if (lib)
		return 0;
	if (!path || !*path)
		path = compat_dl_name(name, sizeof(name), ENG_LIBARCHIVE,
				      ENG_LIBARCHIVE_ABI);
	lib = compat_dl_open(path, why, sizeof(why));
	if (!lib)
		return diag_set(err, DIAG_EIO, NULL, "cannot load %s: %s", path,
				why);
	for (size_t i = 0; i < ARRAY_SIZE(syms); i++) {
		void *p = compat_dl_sym(lib, syms[i].name);

		if (!p) {
			diag_set(err, DIAG_EIO, NULL,
				 "cannot load %s: it has no '%s'", path,
				 syms[i].name);
			memset(&eng_ar, 0, sizeof(eng_ar));
			compat_dl_close(lib);
			lib = NULL;
			return DIAG_EIO;
		}
		memcpy((char *)&eng_ar + syms[i].off, &p, sizeof(p));
	}
	return 0;
}
