/* MD5 (RFC 1321), for the source digests Coveralls' job format asks for (not for security). */
#ifndef PARCOV_MD5_H
#define PARCOV_MD5_H

#include <stddef.h>

/* The digest of data as 32 lower-case hex digits and a NUL in hex[33]. */
void md5_hex(const void *data, size_t len, char hex[33]);

#endif
