/* The report formats CI services read, written from struct covdata: a Markdown summary for
 * pull-request comments and $GITHUB_STEP_SUMMARY, SonarQube's generic coverage XML and
 * Coveralls' job JSON. */
#ifndef PARCOV_CIFORMATS_H
#define PARCOV_CIFORMATS_H

#include "covdata.h"
#include "extras.h"

struct buffer;

/* summary.md: the totals, patch coverage when x has changed lines, a row per file with its
 * lines not run. x may be NULL. */
void write_md(const struct covdata *cd, const struct cov_extras *x, struct buffer *out);
/* sonarqube.xml (sonar.coverageReportPaths): a <lineToCover> per line that counts, with
 * branchesToCover/coveredBranches where it has branches; paths as shown (relative to the root). */
void write_sonarqube(const struct covdata *cd, struct buffer *out);
/* coveralls.json: source_files with name, the MD5 source_digest, a coverage entry per source
 * line (null: not code) and branches as [line, block, branch, hits]. service_name,
 * service_job_id and repo_token come from COVERALLS_SERVICE_NAME, COVERALLS_SERVICE_JOB_ID
 * and COVERALLS_REPO_TOKEN when set. A source that cannot be read is warned about and gets
 * the model's length and the digest of nothing. */
void write_coveralls(const struct covdata *cd, struct buffer *out);

#endif
