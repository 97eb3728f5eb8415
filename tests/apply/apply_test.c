/* The apply unit tests' shared loader: see apply_test.h. */
#include "apply_test.h"

#include <criterion/criterion.h>

struct compose_project *apply_test_load(const char *file)
{
	const char *files[] = {file};
	struct compose_options o = {.files = files, .n_files = 1};
	struct diag_list dl = DIAG_LIST_INIT;
	struct diag err = {0};
	struct compose_project *proj = NULL;

	cr_assert_eq(compose_project_load(&proj, &o, &err), 0, "%s: %s", file,
		     err.msg);
	cr_assert_eq(compose_project_normalize(proj, &dl), 0, "%s: %s", file,
		     dl.nr ? dl.items[0].d.msg : "");
	diag_list_release(&dl);
	return proj;
}
