int words_longest(int argc, char **argv);
int words_total(int argc, char **argv);
