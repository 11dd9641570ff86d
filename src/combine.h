/* parcov combine: merge the per-test .gcda files of the last ctest run into the build tree. */
#ifndef PARCOV_COMBINE_H
#define PARCOV_COMBINE_H

#include "config.h"

/* Merge the newest data set into <build>/<object>.gcda files. Returns 0 on success, 1 when
 * there was nothing usable to merge (error printed). The previous result stays intact on
 * failure. */
int combine(const struct config *c);

/* 1 (after an error with the fix) when a combine stopped half-way through replacing its
 * results (the build tree holds a mix that no report may read), or its manifest is damaged
 * (nothing tells its results from foreign data). */
int combine_interrupted(const struct config *c);

/* Number of .gcda files combine() last wrote into the build tree (from its manifest). */
size_t combined_count(const struct config *c);

/* Remove the .gcda files of the build tree (outside coverage-data/) and combine's manifest.
 * Returns 0 or -1 (warned). */
int combine_clean(const struct config *c);

#endif
