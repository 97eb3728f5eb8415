/*
 * cp's tars (engine/copy.c): a local tree packed under another name and
 * extracted again with its modes, the owners only when asked; and the
 * path stat header of the archive API.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"

static char root[64];

static void mk(void)
{
	char cmd[1024];

	snprintf(root, sizeof(root), "/tmp/cpstat-copy-XXXXXX");
	cr_assert(mkdtemp(root));
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/src/sub %s/out && printf hi > %s/src/run.sh && "
		 "chmod 751 %s/src/run.sh && printf x > %s/src/sub/g && "
		 "chmod 640 %s/src/sub/g && ln -s run.sh %s/src/link",
		 root, root, root, root, root, root, root);
	cr_assert_eq(system(cmd), 0);
}

static void rm(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_expect_eq(system(cmd), 0);
}

static unsigned mode_of(const char *rel)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	cr_assert_eq(lstat(p, &st), 0, "%s", p);
	return (unsigned)st.st_mode;
}

Test(engine_copy,
     a_tree_goes_and_comes_back_with_its_modes,
     .init = mk,
     .fini = rm)
{
	struct diag err = {0};
	char src[128], dir[128], *tar = NULL;
	size_t len = 0;
	struct engine_tar_src s = {.path = src, .as = "renamed"};

	snprintf(src, sizeof(src), "%s/src", root);
	snprintf(dir, sizeof(dir), "%s/out", root);
	cr_assert_eq(engine_tar_local(&tar, &len, &s, &err), 0, "%s", err.msg);
	cr_assert_eq(engine_untar_local(tar, len, dir, "back", &err), 0, "%s",
		     err.msg);
	cr_expect_eq(mode_of("out/back/run.sh") & 07777, 0751);
	cr_expect_eq(mode_of("out/back/sub/g") & 07777, 0640);
	cr_expect(S_ISDIR(mode_of("out/back/sub")));
	cr_expect(S_ISLNK(mode_of("out/back/link")), "a link stays a link");
	free(tar);
}

Test(engine_copy, the_owner_is_root_unless_kept, .init = mk, .fini = rm)
{
	struct diag err = {0};
	char src[128], *tar = NULL;
	size_t len = 0;
	struct engine_tar_src s = {.path = src, .as = "g"};

	snprintf(src, sizeof(src), "%s/src/sub/g", root);
	cr_assert_eq(chown(src, 1234, 2345), 0);
	cr_assert_eq(engine_tar_local(&tar, &len, &s, &err), 0, "%s", err.msg);
	/* ustar: uid at offset 108, gid at 116, octal. */
	cr_expect_eq(strtol(tar + 108, NULL, 8), 0);
	free(tar);
	s.keep_owner = true;
	cr_assert_eq(engine_tar_local(&tar, &len, &s, &err), 0, "%s", err.msg);
	cr_expect_eq(strtol(tar + 108, NULL, 8), 1234);
	cr_expect_eq(strtol(tar + 116, NULL, 8), 2345);
	free(tar);
}

Test(engine_copy, an_entry_cannot_climb_out, .init = mk, .fini = rm)
{
	struct diag err = {0};
	char src[128], dir[128], *tar = NULL;
	size_t len = 0;
	struct engine_tar_src s = {.path = src, .as = ".."};

	snprintf(src, sizeof(src), "%s/src/run.sh", root);
	snprintf(dir, sizeof(dir), "%s/out", root);
	cr_assert_eq(engine_tar_local(&tar, &len, &s, &err), 0, "%s", err.msg);
	cr_expect_neq(engine_untar_local(tar, len, dir, NULL, &err), 0);
	cr_expect_neq(access(dir, F_OK), -1);
	free(tar);
}

Test(engine_copy, a_missing_source_names_it)
{
	struct diag err = {0};
	char *tar = NULL;
	size_t len = 0;
	struct engine_tar_src s = {.path = "/nonexistent/cpstat", .as = "x"};

	cr_assert_neq(engine_tar_local(&tar, &len, &s, &err), 0);
	cr_expect(strstr(err.msg, "/nonexistent/cpstat"), "%s", err.msg);
	cr_expect_null(tar);
}

Test(engine_copy, the_path_stat_header_is_decoded)
{
	struct engine_path_stat st;
	struct diag err = {0};

	/* {"name":"sh","size":16,"mode":134218239,...,"linkTarget":
	 * "/usr/bin/busybox"} as dockerd sends it for /bin/sh. */
	cr_assert_eq(
		engine_path_stat_parse(
			&st,
			"eyJuYW1lIjoic2giLCJzaXplIjoxNiwibW9kZSI6MTM0MjE4MjM5"
			"LCJtdGltZSI6IjIwMDAtMDEtMDFUMDA6MDA6MDBaIiwibGlu"
			"a1RhcmdldCI6Ii91c3IvYmluL2J1c3lib3gifQ==",
			&err),
		0, "%s", err.msg);
	cr_expect(st.exists && st.is_link && !st.is_dir);
	cr_expect_str_eq(st.name, "sh");
	cr_expect_str_eq(st.link_target, "/usr/bin/busybox");
	cr_expect_eq(st.perm, 0777);
	/* {"name":"etc","mode":2147484141}: a directory, 0755. */
	cr_assert_eq(
		engine_path_stat_parse(
			&st,
			"eyJuYW1lIjoiZXRjIiwibW9kZSI6MjE0NzQ4NDE0MX0=", &err),
		0, "%s", err.msg);
	cr_expect(st.is_dir && !st.is_link);
	cr_expect_eq(st.perm, 0755);
	cr_expect_neq(engine_path_stat_parse(&st, "!!", &err), 0);
}
