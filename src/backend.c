#include "backend.h"

#include <string.h>

const struct backend *backend_for(const struct config *c)
{
	return c->backend && !strcmp(c->backend, "llvm") ? &backend_llvm : &backend_gcov;
}
