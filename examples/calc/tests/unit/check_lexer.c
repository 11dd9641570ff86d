#include <stdlib.h>

#include "helpers.h"

START_TEST(test_numbers_and_operators)
{
	const char *s = " 12+(3 * 45)";
	size_t pos = 0;
	enum token_kind want[] = {TOK_NUM, TOK_PLUS, TOK_LPAREN, TOK_NUM, TOK_STAR, TOK_NUM, TOK_RPAREN, TOK_END};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_int_eq(calc_next_token(s, &pos).kind, want[i]);
}
END_TEST

START_TEST(test_number_value)
{
	size_t pos = 0;
	struct token t = calc_next_token("9007199254740993", &pos);
	ck_assert_int_eq(t.kind, TOK_NUM);
	ck_assert_int_eq(t.value, 9007199254740993LL);
	ck_assert_uint_eq(pos, 16);
}
END_TEST

START_TEST(test_bad_character)
{
	size_t pos = 0;
	ck_assert_int_eq(calc_next_token("  $", &pos).kind, TOK_BAD);
	ck_assert_uint_eq(pos, 2);
}
END_TEST

START_TEST(test_literal_too_large)
{
	size_t pos = 0;
	ck_assert_int_eq(calc_next_token("99999999999999999999", &pos).kind, TOK_BAD);
}
END_TEST

static Suite *lexer_suite(void)
{
	Suite *s = suite_create("Lexer");
	TCase *tc = tcase_create("Tokens");
	tcase_add_test(tc, test_numbers_and_operators);
	tcase_add_test(tc, test_number_value);
	tcase_add_test(tc, test_bad_character);
	tcase_add_test(tc, test_literal_too_large);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(lexer_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
