/* Program b: its lines differ from program a's; its functions' names and shapes do not.
 * A second comment line, so no line number is shared with prog_a.c by accident.
 */

int common_sign(int x);
int extra_value(void);

int report(int x)
{
	return x * 2 + common_sign(x) + extra_value();
}

int main(int argc, char **argv)
{
	(void)argv;
	return report(argc) > 99;
}
