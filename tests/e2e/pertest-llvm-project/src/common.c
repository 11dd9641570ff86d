/* Compiled into both programs: the same function in each. */
int common_sign(int x)
{
	if (x > 1)
		return 1;
	return 0;
}
