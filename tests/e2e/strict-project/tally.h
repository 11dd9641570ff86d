#ifndef TALLY_H
#define TALLY_H
/* Exported explicitly: the project may build with -fvisibility=hidden. */
#define TALLY_API __attribute__((visibility("default")))
TALLY_API int tally_classify(int n);
TALLY_API int tally_sum(int n);
#endif
