#include <stdio.h>
#include <string.h>

int classify(const char *s, int strict);
int loop(int k);
void quit(void);
int scan(const char *s);

int main(int argc, char **argv)
{
	const char *a = argc > 1 ? argv[1] : "";

	if (!strncmp(a, "loop", 4))
		return loop(a[4] - '0') < 0;
	if (!strncmp(a, "scan", 4))
		return scan(a + 4) > 100;
	if (!strcmp(a, "quit")) {
		quit();
		printf("not reached\n");
	}
	printf("%d\n", classify(a, 0));
	return 0;
}
