/* Included several times by multi.c with another PREFIX each time (as expat's
 * xmltok_impl.c is): the same lines hold one function per inclusion. */
int PREFIX(scan)(const char *s, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] == CH)
			k++;
	}
	return k;
}
