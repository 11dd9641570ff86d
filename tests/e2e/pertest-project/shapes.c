#include <stdlib.h>
#include <string.h>
#include <strings.h>

int classify(const char *s, int strict)
{
	size_t n = strlen(s);
	int kind = 0;

	if (n == 0)
		goto out;
	if ((!strict &&
	     strncasecmp("null", s, n) == 0) ||
	    (strncmp("null", s, n) == 0))
		kind = 1;
	else if ((!strict &&
		  strncasecmp("true", s, n) == 0) ||
		 (strncmp("true", s, n) == 0))
		kind = 2;
	else if (strcmp(s, "nan") == 0)
	{
		kind = 3;
		goto out;
	}
	else
		kind = 4;
	switch (kind) {
	case 1: kind += 10; break;
	case 2:
		kind += 20;
		break;
	default:
		break;
	}
out:
	if (kind > 100 || n > 1000)
		kind = -1;
	return kind;
}

int loop(int k)
{
	int s = 0;
	for (int i = 0; i < k; i++) s += i;
	return s;
}

void quit(void)
{
	exit(0);
}

/* The loop's own exit falls into a block of the label's line alone; goto and break jump to
 * the block of the label and the next statement: gcov counts the label line by the first. */
int scan(const char *s)
{
	int n = 0;

	while (*s) {
		if (*s == '!')
			goto done;
		n++;
		s++;
		if (*s == '.')
			break;
	}
done:
	if (n > 100)
		n = 100;
	return n;
}
