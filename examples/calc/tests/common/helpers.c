#include "helpers.h"

#include <stdlib.h>

long long eval_ok(const char *expr)
{
	long long v = 0;
	size_t pos = 0;
	enum calc_status st = calc_eval(expr, &v, &pos);
	ck_assert_msg(st == CALC_OK, "'%s': %s at %zu", expr, calc_strerror(st), pos);
	return v;
}

enum calc_status eval_status(const char *expr, size_t *pos)
{
	long long v;
	size_t at = 0;
	enum calc_status st = calc_eval(expr, &v, &at);
	if (pos)
		*pos = at;
	return st;
}

int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed;
}
