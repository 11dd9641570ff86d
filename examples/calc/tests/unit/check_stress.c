/* check_stress SEED COUNT: evaluate COUNT random expressions and compare each with the value
 * computed directly while generating it. CTest runs it with several seeds. */
#include <stdio.h>
#include <stdlib.h>

#include "helpers.h"

static unsigned long long state;

static unsigned next_random(void)
{
	state = state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(state >> 33);
}

/* Append a random expression of the given depth to buf; return its value. Values stay small
 * so no overflow happens; divisors are never zero. */
static long long gen(char *buf, size_t *n, int depth)
{
	long long a, b;
	static const char ops[] = "+-*/%";
	char op;

	if (depth == 0 || next_random() % 3 == 0) {
		a = next_random() % 100;
		*n += (size_t)sprintf(buf + *n, "%lld", a);
		return a;
	}
	buf[(*n)++] = '(';
	a = gen(buf, n, depth - 1);
	op = ops[next_random() % 5];
	*n += (size_t)sprintf(buf + *n, " %c (", op);
	b = gen(buf, n, depth - 1);
	if ((op == '/' || op == '%') && b == 0) {
		*n += (size_t)sprintf(buf + *n, " + 1");
		b = 1;
	}
	buf[(*n)++] = ')';
	buf[(*n)++] = ')';
	buf[*n] = '\0';
	switch (op) {
	case '+': return a + b;
	case '-': return a - b;
	case '*': return a * b;
	case '/': return a / b;
	default: return a % b;
	}
}

static long count;

START_TEST(test_random_expressions)
{
	char buf[4096];
	for (long i = 0; i < count; i++) {
		size_t n = 0;
		long long want = gen(buf, &n, 4);
		buf[n] = '\0';
		ck_assert_msg(eval_ok(buf) == want, "'%s' != %lld", buf, want);
	}
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("Stress");
	TCase *tc = tcase_create("Random");

	if (argc != 3) {
		fprintf(stderr, "usage: check_stress SEED COUNT\n");
		return 2;
	}
	state = strtoull(argv[1], NULL, 10);
	count = strtol(argv[2], NULL, 10);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_random_expressions);
	suite_add_tcase(s, tc);
	return run_suite(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
