/* Helpers shared by the calc test suites. */
#ifndef CALC_TEST_HELPERS_H
#define CALC_TEST_HELPERS_H

#include <check.h>

#include "calc.h"

/* Evaluate expr, failing the test unless it succeeds; returns the value. */
long long eval_ok(const char *expr);
/* Evaluate expr and return its status, storing the error column in *pos if not NULL. */
enum calc_status eval_status(const char *expr, size_t *pos);
/* Run one suite and return the number of failures. */
int run_suite(Suite *s);

#endif
