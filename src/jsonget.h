/* Reading json-c documents: the one lookup helper of the JSON readers (covdata.c's gcovr
 * JSON, llvm.c's llvm-cov summary). Kept out of util.c, which builds without json-c. */
#ifndef PARCOV_JSONGET_H
#define PARCOV_JSONGET_H

#include <json-c/json.h>

/* The member key of o, NULL when o is NULL, not an object or has no such member. */
json_object *json_get(json_object *o, const char *key);

#endif
