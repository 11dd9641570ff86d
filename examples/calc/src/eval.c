/* Recursive descent: expr = term {(+|-) term}; term = unary {(*|/|%) unary};
 * unary = - unary | primary; primary = number | ( expr ). */
#include <limits.h>

#include "calc.h"

struct parser {
	const char *s;
	size_t pos;
	struct token tok;
	int depth;
	enum calc_status status;
	size_t error_pos;
};

static void advance(struct parser *p)
{
	p->tok = calc_next_token(p->s, &p->pos);
}

static long long fail(struct parser *p, enum calc_status status)
{
	if (p->status == CALC_OK) {
		p->status = status;
		p->error_pos = p->tok.pos;
	}
	return 0;
}

static long long expr(struct parser *p);

static long long primary(struct parser *p)
{
	long long v;

	if (p->tok.kind == TOK_NUM) {
		v = p->tok.value;
		advance(p);
		return v;
	}
	if (p->tok.kind != TOK_LPAREN)
		return fail(p, CALC_SYNTAX);
	if (++p->depth > CALC_MAX_DEPTH)
		return fail(p, CALC_TOO_DEEP);
	advance(p);
	v = expr(p);
	if (p->tok.kind != TOK_RPAREN)
		return fail(p, CALC_SYNTAX);
	p->depth--;
	advance(p);
	return v;
}

static long long unary(struct parser *p)
{
	long long v;

	if (p->tok.kind != TOK_MINUS)
		return primary(p);
	advance(p);
	v = unary(p);
	if (v == LLONG_MIN)
		return fail(p, CALC_OVERFLOW);
	return -v;
}

static long long term(struct parser *p)
{
	long long v = unary(p);

	while (p->status == CALC_OK &&
	       (p->tok.kind == TOK_STAR || p->tok.kind == TOK_SLASH || p->tok.kind == TOK_PERCENT)) {
		enum token_kind op = p->tok.kind;
		long long r;
		advance(p);
		r = unary(p);
		if (p->status != CALC_OK)
			break;
		if (op == TOK_STAR) {
			if (__builtin_mul_overflow(v, r, &v))
				return fail(p, CALC_OVERFLOW);
		} else if (r == 0) {
			return fail(p, CALC_DIV_ZERO);
		} else if (v == LLONG_MIN && r == -1) {
			return fail(p, CALC_OVERFLOW);
		} else {
			v = op == TOK_SLASH ? v / r : v % r;
		}
	}
	return v;
}

static long long expr(struct parser *p)
{
	long long v = term(p);

	while (p->status == CALC_OK && (p->tok.kind == TOK_PLUS || p->tok.kind == TOK_MINUS)) {
		enum token_kind op = p->tok.kind;
		long long r;
		advance(p);
		r = term(p);
		if (p->status != CALC_OK)
			break;
		if (op == TOK_PLUS ? __builtin_add_overflow(v, r, &v) : __builtin_sub_overflow(v, r, &v))
			return fail(p, CALC_OVERFLOW);
	}
	return v;
}

enum calc_status calc_eval(const char *s, long long *result, size_t *error_pos)
{
	struct parser p = {s, 0, {TOK_END, 0, 0}, 0, CALC_OK, 0};
	long long v;

	advance(&p);
	v = expr(&p);
	if (p.status == CALC_OK && p.tok.kind != TOK_END)
		fail(&p, CALC_SYNTAX);
	if (p.status != CALC_OK) {
		if (error_pos)
			*error_pos = p.error_pos;
		return p.status;
	}
	*result = v;
	return CALC_OK;
}

const char *calc_strerror(enum calc_status status)
{
	switch (status) {
	case CALC_OK: return "success";
	case CALC_SYNTAX: return "syntax error";
	case CALC_DIV_ZERO: return "division by zero";
	case CALC_OVERFLOW: return "integer overflow";
	case CALC_TOO_DEEP: return "parentheses nested too deeply";
	}
	return "unknown error";
}
