#include <ctype.h>
#include <limits.h>

#include "calc.h"

struct token calc_next_token(const char *s, size_t *pos)
{
	struct token t = {TOK_END, 0, 0};
	size_t i = *pos;

	while (s[i] == ' ' || s[i] == '\t')
		i++;
	t.pos = i;
	if (isdigit((unsigned char)s[i])) {
		long long v = 0;
		t.kind = TOK_NUM;
		while (isdigit((unsigned char)s[i])) {
			int d = s[i] - '0';
			if (v > (LLONG_MAX - d) / 10) {
				t.kind = TOK_BAD;  /* literal too large */
				break;
			}
			v = v * 10 + d;
			i++;
		}
		t.value = v;
		*pos = i;
		return t;
	}
	switch (s[i]) {
	case '\0': t.kind = TOK_END; break;
	case '+': t.kind = TOK_PLUS; i++; break;
	case '-': t.kind = TOK_MINUS; i++; break;
	case '*': t.kind = TOK_STAR; i++; break;
	case '/': t.kind = TOK_SLASH; i++; break;
	case '%': t.kind = TOK_PERCENT; i++; break;
	case '(': t.kind = TOK_LPAREN; i++; break;
	case ')': t.kind = TOK_RPAREN; i++; break;
	default: t.kind = TOK_BAD; break;
	}
	*pos = i;
	return t;
}
