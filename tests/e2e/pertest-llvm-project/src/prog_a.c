/* Program a: report() and main() have the shape of program b's, so the same hash. */
int common_sign(int x);

int report(int x)
{
	return x + common_sign(x);
}

int main(int argc, char **argv)
{
	(void)argv;
	return report(argc) > 99;
}
