/* A shared library function with a known count: the loop body runs k times per call. */
int shout(int k)
{
	int s = 0;

	for (int i = 0; i < k; i++)
		s += i;
	return s;
}
