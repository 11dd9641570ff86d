#define PREFIX(x) a_##x
#define CH 'a'
#include "multi-impl.h"
#undef PREFIX
#undef CH
#define PREFIX(x) b_##x
#define CH 'b'
#include "multi-impl.h"
#undef PREFIX
#undef CH
#define PREFIX(x) c_##x
#define CH 'c'
#include "multi-impl.h"

int multi_count(const char *s, int n, int which)
{
	switch (which) {
	case 0: return a_scan(s, n);
	case 1: return b_scan(s, n);
	default: return c_scan(s, n);
	}
}
