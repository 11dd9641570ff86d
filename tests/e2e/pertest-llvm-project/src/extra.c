/* A shared library only program b loads: its own profile, its own build ID. */
int extra_value(void)
{
	return 0;
}
