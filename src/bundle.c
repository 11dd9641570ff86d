/* parcov bundle and parcov combine --bundles: a data set carried from one machine to another
 * (format in bundle.h, README "Combining across CI machines"). */
#define _GNU_SOURCE
#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "gcda.h"
#include "llvm.h"
#include "runs.h"
#include "util.h"

uint64_t fnv1a64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* --- Writing ---------------------------------------------------------------------------- */

static void put(struct bundle_writer *w, const void *p, size_t n)
{
	w->hash = fnv1a64(w->hash, p, n);
	if (!w->f)
		buf_add(w->mem, p, n);
	else if (!w->failed && n && fwrite(p, 1, n, w->f) != n)
		w->failed = 1;
}

static void put_le(struct bundle_writer *w, uint64_t v, int bytes)
{
	unsigned char b[8];
	for (int i = 0; i < bytes; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	put(w, b, (size_t)bytes);
}

void bundle_begin(struct bundle_writer *w)
{
	w->hash = FNV1A64_INIT;
	w->n = 0;
	w->failed = 0;
	put(w, BUNDLE_MAGIC, 8);
}

void bundle_add(struct bundle_writer *w, char kind, const char *path, const void *data, uint64_t size)
{
	size_t plen = strlen(path);
	put(w, &kind, 1);
	put_le(w, plen, 4);
	put_le(w, size, 8);
	put(w, path, plen);
	put(w, data, (size_t)size);
	w->n++;
}

int bundle_end(struct bundle_writer *w)
{
	char kind = 'E';
	uint64_t sum;
	put(w, &kind, 1);
	put_le(w, 0, 4);
	put_le(w, w->n, 8);
	sum = w->hash;
	put_le(w, sum, 8);
	w->hash = sum; /* the bundle's id */
	return w->failed ? -1 : 0;
}

/* --- Reading ---------------------------------------------------------------------------- */

static uint64_t get_le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;
	for (int i = bytes; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* Relative, no empty, "." or ".." component: an unpacked file stays inside its data set. */
static int safe_path(const char *p)
{
	if (!*p || *p == '/')
		return 0;
	for (const char *s = p; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		s += n;
		if (*s == '/')
			s++;
		if (!*s && s[-1] == '/')
			return 0;
	}
	return 1;
}

void bundle_free(struct bundle *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->paths[i]);
	free(b->paths);
	free(b->v);
	free(b->raw);
	memset(b, 0, sizeof *b);
}

int bundle_parse(unsigned char *data, size_t len, struct bundle *b, char *err, size_t errlen)
{
	size_t off = 8;

	memset(b, 0, sizeof *b);
	b->raw = data;
	b->len = len;
	if (len < 8 || memcmp(data, BUNDLE_MAGIC, 7) || data[7] < BUNDLE_VERSION_MIN ||
	    data[7] > (unsigned char)BUNDLE_MAGIC[7]) {
		if (len < 8 && !memcmp(data, BUNDLE_MAGIC, len < 7 ? len : 7))
			snprintf(err, errlen, "truncated: %zu bytes, not even the header", len);
		else if (len >= 7 && !memcmp(data, BUNDLE_MAGIC, 7))
			snprintf(err, errlen, "format version %u, this parcov reads versions %d to %d (make "
				 "the bundles and combine them with the same parcov)", data[7],
				 BUNDLE_VERSION_MIN, BUNDLE_MAGIC[7]);
		else
			snprintf(err, errlen, "not a parcov bundle (no PARCOVB header)");
		goto bad;
	}
	for (;;) {
		unsigned char kind;
		uint64_t plen, dlen;
		char *path;

		if (len - off < 13) {
			snprintf(err, errlen, "truncated at byte %zu (record %zu, or the end record, is cut)",
				 len, b->n + 1);
			goto bad;
		}
		kind = data[off];
		plen = get_le(data + off + 1, 4);
		dlen = get_le(data + off + 5, 8);
		off += 13;
		if (kind == 'E') {
			if (plen != 0 || dlen != b->n) {
				snprintf(err, errlen, "damaged end record at byte %zu (it counts %llu records, "
					 "%zu were read)", off - 13, (unsigned long long)dlen, b->n);
				goto bad;
			}
			if (len - off < 8) {
				snprintf(err, errlen, "truncated at byte %zu (the checksum is cut)", len);
				goto bad;
			}
			if (len - off > 8) {
				snprintf(err, errlen, "%zu unexpected bytes after the checksum", len - off - 8);
				goto bad;
			}
			b->id = get_le(data + off, 8);
			if (fnv1a64(FNV1A64_INIT, data, off) != b->id) {
				snprintf(err, errlen, "bad checksum (its bytes changed after it was written)");
				goto bad;
			}
			return 0;
		}
		if (!strchr(data[7] >= 2 ? "MDNIL" : "MDNI", kind) || !kind) {
			snprintf(err, errlen, "damaged record %zu at byte %zu (unknown kind 0x%02x)", b->n + 1,
				 off - 13, kind);
			goto bad;
		}
		if (plen == 0 || plen > 4096) {
			snprintf(err, errlen, "damaged record %zu at byte %zu (path length %llu)", b->n + 1,
				 off - 13, (unsigned long long)plen);
			goto bad;
		}
		if (len - off < plen || len - off - plen < dlen) {
			snprintf(err, errlen, "truncated at byte %zu (record %zu needs %llu bytes more)", len,
				 b->n + 1, (unsigned long long)(plen + dlen - (len - off)));
			goto bad;
		}
		path = strndup((const char *)data + off, plen);
		if (!path)
			fatal("out of memory");
		if (strlen(path) != plen || !safe_path(path) || (kind == 'I' && dlen != BUNDLE_IDENTITY_SIZE)) {
			snprintf(err, errlen, "damaged record %zu at byte %zu (bad path or size)", b->n + 1,
				 off - 13);
			free(path);
			goto bad;
		}
		b->v = xreallocarray(b->v, b->n + 1, sizeof *b->v);
		b->paths = xreallocarray(b->paths, b->n + 1, sizeof *b->paths);
		b->paths[b->n] = path;
		b->v[b->n] = (struct bundle_record){(char)kind, path, data + off + plen, dlen};
		b->n++;
		off += plen + dlen;
	}
bad:
	bundle_free(b);
	return -1;
}

int bundle_read(const char *path, struct bundle *b, char *err, size_t errlen)
{
	struct buffer raw = {0};

	if (read_file(path, &raw) < 0) {
		snprintf(err, errlen, "cannot read it: %s", strerror(errno));
		buf_free(&raw);
		return -1;
	}
	return bundle_parse((unsigned char *)raw.data, raw.len, b, err, errlen);
}

/* --- parcov bundle ---------------------------------------------------------------------- */

struct paths {
	char **v;
	size_t n;
};

static int collect_path(const char *path, const char *rel, void *ctx)
{
	struct paths *p = ctx;
	(void)path;
	p->v = xreallocarray(p->v, p->n + 1, sizeof *p->v);
	p->v[p->n++] = xstrdup(rel);
	return 0;
}

/* rel, then after its NUL the file's real path: a hidden data file's differs (DATA_HIDDEN). */
static int collect_data_path(const char *path, const char *rel, void *ctx)
{
	struct paths *p = ctx;
	size_t n = strlen(rel) + 1, m = strlen(path) + 1;
	p->v = xreallocarray(p->v, p->n + 1, sizeof *p->v);
	p->v[p->n] = xmalloc(n + m);
	memcpy(p->v[p->n], rel, n);
	memcpy(p->v[p->n++] + n, path, m);
	return 0;
}

static void paths_free(struct paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof *p);
}

/* An object's identity: the version and stamp of a .gcno (0 for other files) and a hash of all
 * its bytes. Returns 0, or -1 with errno set. */
static int identity(const char *path, unsigned char out[BUNDLE_IDENTITY_SIZE])
{
	struct buffer b = {0};
	uint32_t version = 0, stamp = 0, magic;
	uint64_t h;

	if (read_file(path, &b) < 0) {
		buf_free(&b);
		return -1;
	}
	if (b.len >= 12 && (memcpy(&magic, b.data, 4), magic == GCNO_MAGIC)) {
		memcpy(&version, b.data + 4, 4);
		memcpy(&stamp, b.data + 8, 4);
	}
	h = fnv1a64(FNV1A64_INIT, b.data, b.len);
	for (int i = 0; i < 4; i++) {
		out[i] = (unsigned char)(version >> (8 * i));
		out[4 + i] = (unsigned char)(stamp >> (8 * i));
	}
	for (int i = 0; i < 8; i++)
		out[8 + i] = (unsigned char)(h >> (8 * i));
	buf_free(&b);
	return 0;
}

static int collect_gcno(const char *path, const char *rel, void *ctx)
{
	if (ends_with(rel, ".gcno"))
		return collect_path(path, rel, ctx);
	return 0;
}

/* The build's objects whose identity a bundle records, relative to the build tree: every
 * .gcno, or with the llvm backend the instrumented binaries the module listed. */
static void build_objects(const struct config *c, struct paths *p)
{
	char *pattern;
	glob_t g;
	size_t root = strlen(c->build_dir);

	if (!llvm_backend(c)) {
		/* Only this configuration's objects (multi-config generators): a bundle is one
		 * configuration's data. */
		walk_files(c->build_dir, c->skip_dirs, collect_gcno, p);
		return;
	}
	pattern = path_join(c->data_dir, "objects*.txt");
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct buffer b = {0};
			char *line, *next;
			if (read_file(g.gl_pathv[i], &b) == 0)
				for (line = b.data; line && *line; line = next) {
					next = strchr(line, '\n');
					if (next)
						*next++ = '\0';
					if (!strncmp(line, c->build_dir, root) && line[root] == '/' && exists(line))
						collect_path(line, line + root + 1, p);
				}
			buf_free(&b);
		}
		globfree(&g);
	}
	free(pattern);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

int bundle_write(const struct config *c, const char *out)
{
	static const char *const skip[] = {"discovery", NULL};
	struct bundle_writer w = {0};
	struct paths data = {0}, objects = {0};
	struct buffer meta = {0};
	char host[256] = "host", *run, *dest, *tmp = NULL, *names;
	int ret = 1;
	FILE *f = NULL;

	if (!(run = runs_latest_with_data(c))) {
		error("no coverage data in %s: run the tests first (ctest --test-dir %s -j N), then "
		      "'parcov bundle'", c->data_dir, c->build_dir);
		return 1;
	}
	if (runs_check_idle(c, run) < 0) {
		free(run);
		return 1;
	}
	if (gethostname(host, sizeof host - 1) < 0 || !safe_path(host) || strchr(host, '/'))
		strcpy(host, "host");
	dest = out ? xstrdup(out) : xasprintf("%s/bundle-%s-%s.parcov", c->data_dir, host, base_name(run));
	tmp = xasprintf("%s.parcov-tmp", dest);
	if (walk_data(run, skip, collect_data_path, &data) < 0) {
		error("cannot read all the data of %s (see above): no bundle written", run);
		goto out;
	}
	build_objects(c, &objects);
	if (!(f = fopen(tmp, "wb"))) {
		error("cannot create %s:", tmp);
		goto out;
	}
	w.f = f;
	bundle_begin(&w);
	buf_printf(&meta, "backend=%s\nconfig=%s\nhost=%s\nbuild_dir=%s\nrun=%s\ncreated=%lld\n",
		   c->backend, c->config ? c->config : "", host, c->build_dir, base_name(run),
		   (long long)time(NULL));
	bundle_add(&w, 'M', "meta", meta.data, meta.len);
	for (size_t i = 0; i < data.n; i++) {
		const char *rel = data.v[i];
		char *full;
		struct buffer b = {0};
		/* Only the tests' data and names: ctest-pid and the like describe that machine. */
		if (strncmp(rel, "tests/", 6) && strcmp(rel, "tests.tsv"))
			continue;
		full = xstrdup(rel + strlen(rel) + 1);
		if (read_file(full, &b) < 0) {
			error("cannot read %s:", full);
			free(full);
			buf_free(&b);
			goto out;
		}
		bundle_add(&w, 'D', rel, b.data, b.len);
		buf_free(&b);
		free(full);
		progress(i + 1, data.n + objects.n, "bundle");
	}
	names = path_join(c->data_dir, "tests.tsv");
	{
		struct buffer b = {0};
		if (read_file(names, &b) == 0)
			bundle_add(&w, 'N', "tests.tsv", b.data, b.len);
		buf_free(&b);
	}
	free(names);
	/* The tests that ran, for endings and doctor on the combining machine: a test that wrote
	 * no data has no directory to tell it ran. */
	{
		struct buffer b = {0};
		if (runs_ctest_log_read(c, run, &b) == 0)
			bundle_add(&w, 'L', "LastTest.log", b.data, b.len);
		else
			warn("no LastTest.log describes %s (ctest's log is missing or older): the bundle "
			     "cannot name the tests that ran but wrote no data", run);
		buf_free(&b);
	}
	for (size_t i = 0; i < objects.n; i++) {
		unsigned char id[BUNDLE_IDENTITY_SIZE];
		char *full = path_join(c->build_dir, objects.v[i]);
		if (identity(full, id) < 0) {
			error("cannot read %s:", full);
			free(full);
			goto out;
		}
		bundle_add(&w, 'I', objects.v[i], id, sizeof id);
		free(full);
		progress(data.n + i + 1, data.n + objects.n, "bundle");
	}
	if (bundle_end(&w) < 0 || fflush(f) != 0 || fsync(fileno(f)) < 0) {
		error("cannot write %s:", tmp);
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		error("cannot write %s:", tmp);
		goto out;
	}
	f = NULL;
	if (rename(tmp, dest) < 0) {
		error("cannot rename %s to %s:", tmp, dest);
		goto out;
	}
	info("wrote %s: %zu files of %s, %zu objects' identity (bundle id %016llx)", dest, data.n, run,
	     objects.n, (unsigned long long)w.hash);
	ret = 0;
out:
	if (f) {
		fclose(f);
	}
	if (ret)
		unlink(tmp);
	buf_free(&meta);
	paths_free(&data);
	paths_free(&objects);
	free(tmp);
	free(dest);
	free(run);
	return ret;
}

/* --- parcov combine --bundles ----------------------------------------------------------- */

static const char *meta_value(const struct bundle *b, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);
	*out = '\0';
	for (size_t i = 0; i < b->n; i++) {
		const char *p = (const char *)b->v[i].data, *end = p + b->v[i].size;
		if (b->v[i].kind != 'M')
			continue;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *e = nl ? nl : end;
			if ((size_t)(e - p) > klen && !memcmp(p, key, klen) && p[klen] == '=') {
				snprintf(out, outlen, "%.*s", (int)(e - p - (long)klen - 1), p + klen + 1);
				return out;
			}
			p = nl ? nl + 1 : end;
		}
	}
	return out;
}

static int write_data(const char *path, const void *data, size_t len, int append)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_EXCL), fd, ret = 0;

	/* The directory usually exists already: create it only when the open says it does not
	 * (one mkdir per directory level and file cost a third of the unpacking). */
	if ((fd = open(path, flags, 0666)) < 0 && errno == ENOENT) {
		char *dir = xstrdup(path);
		*strrchr(dir, '/') = '\0';
		if (mkdirs(dir, 0777) == 0)
			fd = open(path, flags, 0666);
		free(dir);
	}
	if (fd < 0)
		return -1;
	if (len && write(fd, data, len) != (ssize_t)len)
		ret = -1;
	if (close(fd) < 0)
		ret = -1;
	return ret;
}

/* The build object a data file belongs to: tests/<dir>/[parcov-snap/PID.K/]<object>.gcda →
 * <object>.gcno; NULL for other files. Caller frees. */
static char *gcno_of(const char *rel)
{
	const char *p = strchr(rel + 6, '/');
	if (strncmp(rel, "tests/", 6) || !p || !ends_with(rel, ".gcda"))
		return NULL;
	p++;
	if (!strncmp(p, "parcov-snap/", 12) && (p = strchr(p + 12, '/')))
		p++;
	return p ? xasprintf("%.*s.gcno", (int)(strlen(p) - 5), p) : NULL;
}

/* Objects whose identity in the bundle differs from this build tree's, each warned about. */
static size_t foreign_objects(const struct config *c, const char *file, const struct bundle *b,
			      struct paths *foreign)
{
	for (size_t i = 0; i < b->n; i++) {
		unsigned char here[BUNDLE_IDENTITY_SIZE];
		const unsigned char *there = b->v[i].data;
		char *full;
		if (b->v[i].kind != 'I')
			continue;
		full = path_join(c->build_dir, b->v[i].path);
		if (identity(full, here) < 0)
			warn("skipping the data of %s for %s: that object is not in this build tree (%s)",
			     file, b->v[i].path, strerror(errno));
		else if (!memcmp(here, there, BUNDLE_IDENTITY_SIZE))
			;
		else if (llvm_backend(c))
			warn("skipping the data of %s for %s: it comes from another build of it (the binary "
			     "differs from the one the tests ran); restore the build tree the tests ran in",
			     file, full);
		else if (memcmp(here, there, 8))
			warn("skipping the data of %s for %s: it comes from another build of it (the .gcno "
			     "stamps differ: GCC stamps every compile unless -frandom-seed is given); restore "
			     "the build tree the tests ran in, or see README \"Combining across CI machines\"",
			     file, full);
		else
			warn("skipping the data of %s for %s: it comes from another build of it (same stamp, "
			     "other contents: another source path, sources or flags); restore the build tree "
			     "the tests ran in, or see README \"Combining across CI machines\"", file, full);
		if (identity(full, here) < 0 || memcmp(here, there, BUNDLE_IDENTITY_SIZE))
			collect_path(full, b->v[i].path, foreign);
		free(full);
	}
	return foreign->n;
}

static int in_paths(const struct paths *p, const char *s)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i], s))
			return 1;
	return 0;
}

/* Unpack bundle k into the data set at dir. Test directories an earlier bundle already filled
 * get a ".bK" suffix (the same test run on two machines: both counted, as two ctest runs in
 * append mode would be). Returns 0, or -1 with an error printed. */
static int unpack(const struct config *c, const char *file, const struct bundle *b, size_t k,
		  const char *dir, const struct buffer *local_names, size_t *written, int *has_log)
{
	struct paths foreign = {0}, seen = {0}, renamed = {0};
	size_t skipped = 0;
	int llvm = llvm_backend(c), ret = 0;

	foreign_objects(c, file, b, &foreign);
	for (size_t i = 0; i < b->n && ret == 0; i++) {
		const struct bundle_record *r = &b->v[i];
		char *path = NULL, *gcno;
		if (r->kind == 'N') {
			/* Configure-time names this tree does not know (another configuration): kept in
			 * the data set's own list. */
			struct buffer add = {0};
			const char *p = (const char *)r->data, *end = p + r->size;
			while (p < end) {
				const char *nl = memchr(p, '\n', (size_t)(end - p));
				size_t n = (size_t)((nl ? nl + 1 : end) - p);
				char *line = strndup(p, n);
				if (!line)
					fatal("out of memory");
				if (!local_names->data || !strstr(local_names->data, line))
					buf_add(&add, line, n);
				free(line);
				p += n;
			}
			path = path_join(dir, "tests.tsv");
			if (add.len && write_data(path, add.data, add.len, 1) < 0) {
				error("cannot write %s:", path);
				ret = -1;
			}
			buf_free(&add);
			free(path);
			continue;
		}
		if (r->kind == 'L') {
			/* One file per bundle: runs_ctest_tests() reads them all. */
			path = xasprintf("%s/" RUNS_CTEST_LOGS "/%zu.log", dir, k + 1);
			if (write_data(path, r->data, r->size, 0) < 0) {
				error("cannot write %s:", path);
				ret = -1;
			}
			*has_log = 1;
			free(path);
			continue;
		}
		/* Only what bundle_write puts in: a data set's tests and names. */
		if (r->kind != 'D' || (strncmp(r->path, "tests/", 6) && strcmp(r->path, "tests.tsv")))
			continue;
		if ((gcno = gcno_of(r->path))) {
			int skip = in_paths(&foreign, gcno);
			free(gcno);
			if (skip) {
				skipped++;
				continue;
			}
		}
		if (llvm && foreign.n && ends_with(r->path, ".profraw")) {
			skipped++;
			continue;
		}
		if (!strcmp(r->path, "tests.tsv")) {
			path = path_join(dir, "tests.tsv");
			if (write_data(path, r->data, r->size, 1) < 0) {
				error("cannot write %s:", path);
				ret = -1;
			}
		} else {
			const char *slash = strchr(r->path + 6, '/');
			size_t dlen = slash ? (size_t)(slash - r->path) : strlen(r->path);
			char *tdir = strndup(r->path, dlen);
			if (!tdir)
				fatal("out of memory");
			if (!in_paths(&seen, tdir)) {
				char *full = path_join(dir, tdir);
				collect_path(NULL, tdir, &seen);
				if (exists(full))
					collect_path(NULL, tdir, &renamed);
				free(full);
			}
			if (in_paths(&renamed, tdir))
				path = xasprintf("%s/%s.b%zu%s", dir, tdir, k + 1, r->path + dlen);
			else
				path = path_join(dir, r->path);
			free(tdir);
			if (write_data(path, r->data, r->size, 0) < 0) {
				error("cannot write %s:", path);
				ret = -1;
			}
			(*written)++;
		}
		free(path);
	}
	if (skipped && ret == 0)
		warn("%zu data file%s of %s left out: %s", skipped, skipped == 1 ? "" : "s", file,
		     llvm ? "the bundle's binaries differ from this build tree's (llvm-cov would mismatch "
			    "its counts)"
			  : "their objects differ from this build tree's (see above)");
	paths_free(&foreign);
	paths_free(&seen);
	paths_free(&renamed);
	return ret;
}

int bundle_combine(const struct config *c, const struct backend *backend, char **files, size_t n)
{
	uint64_t *ids = xcalloc(n ? n : 1, sizeof *ids);
	struct buffer local_names = {0};
	char err[512], value[256], *dir = NULL, *dest = NULL, *names;
	size_t written = 0, without_log = 0;
	int ret = 1;

	/* Every bundle is read and checked before anything changes. */
	for (size_t i = 0; i < n; i++) {
		struct bundle b;
		if (bundle_read(files[i], &b, err, sizeof err) < 0) {
			error("%s is damaged or unreadable: %s. Nothing was combined: copy or make that "
			      "bundle again, or leave it out", files[i], err);
			goto out;
		}
		ids[i] = b.id;
		meta_value(&b, "backend", value, sizeof value);
		if (strcmp(value, c->backend)) {
			bundle_free(&b);
			error("%s holds data of the %s backend, this build tree uses %s: nothing was combined",
			      files[i], *value ? value : "an unknown", c->backend);
			goto out;
		}
		meta_value(&b, "config", value, sizeof value);
		if (strcmp(value, c->config ? c->config : "")) {
			error("%s holds data of configuration '%s', this is '%s': give --config %s (a bundle "
			      "belongs to one configuration). Nothing was combined", files[i], value,
			      c->config ? c->config : "", *value ? value : "(none: single-config build)");
			bundle_free(&b);
			goto out;
		}
		bundle_free(&b);
		for (size_t j = 0; j < i; j++)
			if (ids[j] == ids[i]) {
				error("%s is the same bundle as %s (id %016llx): give each machine's bundle once. "
				      "Nothing was combined", files[i], files[j], (unsigned long long)ids[i]);
				goto out;
			}
		progress(i + 1, n, "verify bundles");
	}
	names = path_join(c->data_dir, "tests.tsv");
	read_file(names, &local_names);
	free(names);
	/* Unpacked under a name no data set has, renamed into place when complete. */
	dir = xasprintf("%s/runs/bundles.parcov-tmp", c->data_dir);
	if (remove_tree(dir) < 0 || mkdirs(dir, 0777) < 0) {
		error("cannot create %s:", dir);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct bundle b;
		if (bundle_read(files[i], &b, err, sizeof err) < 0 || b.id != ids[i]) {
			error("%s changed while combining: nothing was combined", files[i]);
			goto out;
		}
		int has_log = 0;
		info("unpacking %s (host %s)", files[i], meta_value(&b, "host", value, sizeof value));
		if (unpack(c, files[i], &b, i, dir, &local_names, &written, &has_log) < 0) {
			bundle_free(&b);
			goto out;
		}
		bundle_free(&b);
		if (!has_log) {
			warn("%s carries no LastTest.log (made by an older parcov, or its ctest log was "
			     "missing): the tests that ran there but wrote no data are not named", files[i]);
			without_log++;
		}
		progress(i + 1, n, "unpack bundles");
	}
	/* The logs name every test that ran only when each machine's is there; else, as without
	 * any, the tests with a data directory are the ones that ran. */
	if (without_log && without_log < n) {
		char *logs = path_join(dir, RUNS_CTEST_LOGS);
		int gone = remove_tree(logs);
		free(logs);
		if (gone < 0) {
			error("cannot remove %s/" RUNS_CTEST_LOGS ":", dir);
			goto out;
		}
	}
	/* An empty set would make combine fall back on an older one. */
	if (written == 0) {
		error("none of the %zu bundles holds data this build tree can use (see the warnings "
		      "above): nothing was combined", n);
		goto out;
	}
	dest = runs_next_path(c);
	if (rename(dir, dest) < 0) {
		error("cannot rename %s to %s:", dir, dest);
		goto out;
	}
	info("the %zu bundles are data set %s", n, dest);
	ret = backend->combine(c);
out:
	if (dir && ret && exists(dir))
		remove_tree(dir);
	buf_free(&local_names);
	free(ids);
	free(dir);
	free(dest);
	return ret;
}
