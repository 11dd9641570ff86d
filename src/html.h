/* The HTML report: a static directory (index.html with per-directory and per-file totals, a
 * page per source file, one stylesheet and one script) that works from file:// without a
 * network, written from struct covdata alone. */
#ifndef PARCOV_HTML_H
#define PARCOV_HTML_H

#include "covdata.h"
#include "extras.h"

/* Write the report of cd into dir (created if missing; the caller makes it a temporary
 * directory and renames it into place). title names the project on every page. x may be NULL.
 * Returns 0, or -1 after an error naming the file. */
int html_write(const struct covdata *cd, const char *dir, const char *title,
	       const struct cov_extras *x);

/* The name of f's page inside the report directory (index i of f in cd). Caller frees. */
char *html_page_name(const struct cov_file *f, size_t i);

/* The stylesheet and script every page links to (html_assets.c). */
extern const char html_css[], html_js[];

#endif
