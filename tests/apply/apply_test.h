/*
 * What the apply unit tests share: a compose file loaded and normalized as
 * the commands do it, the test failing on the first error.
 */
#ifndef TESTS_APPLY_APPLY_TEST_H
#define TESTS_APPLY_APPLY_TEST_H

#include "compose/compose.h"

/* The project of the one file at 'file', loaded and normalized. */
struct compose_project *apply_test_load(const char *file);

#endif
