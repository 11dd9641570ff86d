/* calc: a tiny arithmetic expression evaluator (the ParallelCoverage example library). */
#ifndef CALC_H
#define CALC_H

#include <stddef.h>

enum calc_status {
	CALC_OK = 0,
	CALC_SYNTAX,      /* malformed expression */
	CALC_DIV_ZERO,    /* division or modulo by zero */
	CALC_OVERFLOW,    /* result does not fit in a long long */
	CALC_TOO_DEEP,    /* parentheses nested deeper than CALC_MAX_DEPTH */
};

#define CALC_MAX_DEPTH 64

enum token_kind { TOK_NUM, TOK_PLUS, TOK_MINUS, TOK_STAR, TOK_SLASH, TOK_PERCENT,
		  TOK_LPAREN, TOK_RPAREN, TOK_END, TOK_BAD };

struct token {
	enum token_kind kind;
	long long value;  /* for TOK_NUM */
	size_t pos;       /* offset in the input */
};

/* Read the token starting at or after *pos and advance *pos past it. */
struct token calc_next_token(const char *s, size_t *pos);

/* Evaluate an expression of integers, + - * / %, unary minus and parentheses. */
enum calc_status calc_eval(const char *expr, long long *result, size_t *error_pos);

/* A short English description of a status. */
const char *calc_strerror(enum calc_status status);

/* Format a value with thousands separators into buf (at least 32 bytes). */
char *calc_format(long long value, char *buf, size_t size);

#endif
