#ifndef ENGINE_ARCHIVE_API_H
#define ENGINE_ARCHIVE_API_H

/*
 * libarchive, loaded on first use (engine/archive_load.c), as libcurl is:
 * linking it makes every start map libxml2, ICU, the compressors and
 * libstdc++ (3.4 MB of resident memory and a few ms), though only `build`
 * the hosts file of a Windows container, `cp` and `watch` need a tar.
 * Only engine/build_context.c, engine/file_edit.c, engine/copy.c and
 * engine/cp.c include this header: their calls to the functions below go
 * through the table.
 */
#include <archive.h>
#include <archive_entry.h>

#include "util/diag.h"

#define ENG_AR_FN(fn) __typeof__(fn) *fn
struct eng_archive_api {
	ENG_AR_FN(archive_write_new);
	ENG_AR_FN(archive_write_set_format_pax_restricted);
	ENG_AR_FN(archive_write_open_FILE);
	ENG_AR_FN(archive_write_header);
	ENG_AR_FN(archive_write_data);
	ENG_AR_FN(archive_write_close);
	ENG_AR_FN(archive_write_free);
	ENG_AR_FN(archive_error_string);
	ENG_AR_FN(archive_entry_new);
	ENG_AR_FN(archive_entry_free);
	ENG_AR_FN(archive_entry_set_pathname);
	ENG_AR_FN(archive_entry_set_size);
	ENG_AR_FN(archive_entry_set_filetype);
	ENG_AR_FN(archive_entry_set_perm);
	ENG_AR_FN(archive_entry_set_uid);
	ENG_AR_FN(archive_entry_set_gid);
	ENG_AR_FN(archive_entry_set_nlink);
	ENG_AR_FN(archive_entry_set_symlink);
	ENG_AR_FN(archive_entry_copy_stat);
	ENG_AR_FN(archive_write_open_memory);
	ENG_AR_FN(archive_entry_set_mtime);
	ENG_AR_FN(archive_read_new);
	ENG_AR_FN(archive_read_support_format_tar);
	ENG_AR_FN(archive_read_open_memory);
	ENG_AR_FN(archive_read_next_header);
	ENG_AR_FN(archive_read_data);
	ENG_AR_FN(archive_read_free);
	ENG_AR_FN(archive_entry_filetype);
	ENG_AR_FN(archive_entry_pathname);
	ENG_AR_FN(archive_read_disk_new);
	ENG_AR_FN(archive_read_disk_set_symlink_hybrid);
	ENG_AR_FN(archive_read_disk_set_symlink_physical);
	ENG_AR_FN(archive_write_open);
	ENG_AR_FN(archive_read_disk_open);
	ENG_AR_FN(archive_read_next_header2);
	ENG_AR_FN(archive_read_disk_descend);
	ENG_AR_FN(archive_entry_hardlink);
	ENG_AR_FN(archive_entry_set_hardlink);
	ENG_AR_FN(archive_entry_size);
	ENG_AR_FN(archive_read_data_block);
	ENG_AR_FN(archive_write_data_block);
	ENG_AR_FN(archive_write_finish_entry);
	ENG_AR_FN(archive_write_disk_new);
	ENG_AR_FN(archive_write_disk_set_options);
};
#undef ENG_AR_FN

extern struct eng_archive_api eng_ar;

/*
 * Loads libarchive.so.13 (or $MIXCOMPOSE_LIBARCHIVE) once and fills
 * eng_ar.  Returns 0, or DIAG_EIO with dlopen's reason.
 */
int eng_archive_load(struct diag *err);

#ifndef ENG_ARCHIVE_LOAD_C
#define archive_write_new eng_ar.archive_write_new
#define archive_write_set_format_pax_restricted                                \
	eng_ar.archive_write_set_format_pax_restricted
#define archive_write_open_FILE eng_ar.archive_write_open_FILE
#define archive_write_header eng_ar.archive_write_header
#define archive_write_data eng_ar.archive_write_data
#define archive_write_close eng_ar.archive_write_close
#define archive_write_free eng_ar.archive_write_free
#define archive_error_string eng_ar.archive_error_string
#define archive_entry_new eng_ar.archive_entry_new
#define archive_entry_free eng_ar.archive_entry_free
#define archive_entry_set_pathname eng_ar.archive_entry_set_pathname
#define archive_entry_set_size eng_ar.archive_entry_set_size
#define archive_entry_set_filetype eng_ar.archive_entry_set_filetype
#define archive_entry_set_perm eng_ar.archive_entry_set_perm
#define archive_entry_set_uid eng_ar.archive_entry_set_uid
#define archive_entry_set_gid eng_ar.archive_entry_set_gid
#define archive_entry_set_nlink eng_ar.archive_entry_set_nlink
#define archive_entry_set_symlink eng_ar.archive_entry_set_symlink
#define archive_entry_copy_stat eng_ar.archive_entry_copy_stat
#define archive_write_open_memory eng_ar.archive_write_open_memory
#define archive_entry_set_mtime eng_ar.archive_entry_set_mtime
#define archive_read_new eng_ar.archive_read_new
#define archive_read_support_format_tar eng_ar.archive_read_support_format_tar
#define archive_read_open_memory eng_ar.archive_read_open_memory
#define archive_read_next_header eng_ar.archive_read_next_header
#define archive_read_data eng_ar.archive_read_data
#define archive_read_free eng_ar.archive_read_free
#define archive_entry_filetype eng_ar.archive_entry_filetype
#define archive_entry_pathname eng_ar.archive_entry_pathname
#define archive_read_disk_new eng_ar.archive_read_disk_new
#define archive_read_disk_set_symlink_hybrid                                   \
	eng_ar.archive_read_disk_set_symlink_hybrid
#define archive_read_disk_set_symlink_physical                                 \
	eng_ar.archive_read_disk_set_symlink_physical
#define archive_write_open eng_ar.archive_write_open
#define archive_read_disk_open eng_ar.archive_read_disk_open
#define archive_read_next_header2 eng_ar.archive_read_next_header2
#define archive_read_disk_descend eng_ar.archive_read_disk_descend
#define archive_entry_hardlink eng_ar.archive_entry_hardlink
#define archive_entry_set_hardlink eng_ar.archive_entry_set_hardlink
#define archive_entry_size eng_ar.archive_entry_size
#define archive_read_data_block eng_ar.archive_read_data_block
#define archive_write_data_block eng_ar.archive_write_data_block
#define archive_write_finish_entry eng_ar.archive_write_finish_entry
#define archive_write_disk_new eng_ar.archive_write_disk_new
#define archive_write_disk_set_options eng_ar.archive_write_disk_set_options
#endif

#endif
