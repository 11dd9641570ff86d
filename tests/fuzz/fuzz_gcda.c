/* libFuzzer target of the .gcda reader: gcda_parse() must never crash, leak or read out of
 * bounds, and what it accepts must survive serialize -> parse unchanged and merge with
 * itself and with another accepted input without breaking. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gcda.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const struct gcda_file *f)
{
	struct buffer a = {0}, b = {0};
	struct gcda_file g;
	char err[256];

	gcda_serialize(f, &a);
	if (gcda_parse((const unsigned char *)a.data, a.len, &g, err, sizeof err) < 0)
		abort(); /* we wrote something we cannot read back */
	gcda_serialize(&g, &b);
	if (a.len != b.len || memcmp(a.data, b.data, a.len))
		abort(); /* serialize(parse(serialize(f))) != serialize(f) */
	if (gcda_merge(&g, f, err, sizeof err) < 0)
		abort(); /* a file always merges with itself */
	gcda_free(&g);
	buf_free(&a);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gcda_file f, g;
	char err[256] = "";
	size_t half = size / 2;

	if (gcda_parse(data, size, &f, err, sizeof err) == 0) {
		round_trip(&f);
		gcda_free(&f);
	} else if (!err[0]) {
		abort(); /* every refusal says why */
	}
	/* Two inputs in one: merging two different accepted files either works or says why. */
	if (gcda_parse(data, half, &f, err, sizeof err) == 0) {
		if (gcda_parse(data + half, size - half, &g, err, sizeof err) == 0) {
			err[0] = '\0';
			if (gcda_merge(&f, &g, err, sizeof err) < 0 && !err[0])
				abort();
			gcda_free(&g);
		}
		gcda_free(&f);
	}
	return 0;
}
