#define _GNU_SOURCE
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *argv0 = "parcov";
int verbose = 1;

/* The messages of a thread working ahead (msgs_capture()): NULL when printed at once. */
static _Thread_local struct msgs *capturing;
static pthread_mutex_t msgs_mu = PTHREAD_MUTEX_INITIALIZER;

/* Keep text (len bytes) for stream 1 (stdout) or 2 (stderr): a byte, the length, the text. */
static void msgs_keep(struct msgs *m, char stream, const char *text, size_t len)
{
	pthread_mutex_lock(&msgs_mu);
	buf_add(&m->b, &stream, 1);
	buf_add(&m->b, &len, sizeof len);
	buf_add(&m->b, text, len);
	pthread_mutex_unlock(&msgs_mu);
}

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	if (capturing) {
		struct buffer b = {0};
		char *text;
		if (vasprintf(&text, fmt, ap) < 0)
			fatal("out of memory");
		buf_printf(&b, "%s: %s%s%s%s\n", argv0, kind, text, n > 0 && fmt[n - 1] == ':' ? " " : "",
			   n > 0 && fmt[n - 1] == ':' ? strerror(saved) : "");
		msgs_keep(capturing, '2', b.data, b.len);
		free(text);
		buf_free(&b);
		return;
	}
	fflush(stdout);
	fprintf(stderr, "%s: %s", argv0, kind);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
}

void msgs_capture(struct msgs *m)
{
	capturing = m;
}

void msgs_replay(const struct msgs *m)
{
	for (size_t off = 0; off < m->b.len;) {
		char stream = m->b.data[off];
		size_t len;
		memcpy(&len, m->b.data + off + 1, sizeof len);
		off += 1 + sizeof len;
		if (stream == '1') {
			fwrite(m->b.data + off, 1, len, stdout);
			fflush(stdout);
		} else {
			fflush(stdout);
			fwrite(m->b.data + off, 1, len, stderr);
			fflush(stderr);
		}
		off += len;
	}
}

void msgs_free(struct msgs *m)
{
	buf_free(&m->b);
}

void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	capturing = NULL; /* the process ends: said now */
	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
	exit(1);
}

void progress(size_t done, size_t total, const char *what)
{
	static atomic_int tty = -1; /* threads may ask at once */
	if (tty < 0)
		tty = isatty(2);
	if (!verbose || !tty || total == 0)
		return;
	if (capturing) {
		struct buffer b = {0};
		buf_printf(&b, "\r%s: %s: %zu/%zu%s", argv0, what, done, total, done >= total ? "\n" : "");
		msgs_keep(capturing, '2', b.data, b.len);
		buf_free(&b);
		return;
	}
	fprintf(stderr, "\r%s: %s: %zu/%zu%s", argv0, what, done, total, done >= total ? "\n" : "");
	fflush(stderr);
}

void info(const char *fmt, ...)
{
	va_list ap;
	if (!verbose)
		return;
	va_start(ap, fmt);
	if (capturing) {
		char *text;
		struct buffer b = {0};
		if (vasprintf(&text, fmt, ap) < 0)
			fatal("out of memory");
		buf_printf(&b, "%s: %s\n", argv0, text);
		msgs_keep(capturing, '1', b.data, b.len);
		free(text);
		buf_free(&b);
		va_end(ap);
		return;
	}
	printf("%s: ", argv0);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fflush(stdout);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		fatal("out of memory");
	p = realloc(p, (n * size) != 0 ? n * size : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		fatal("out of memory");
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	return s;
}

/* Room for n more bytes and the terminating NUL. */
static void buf_reserve(struct buffer *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xreallocarray(b->data, cap, 1);
		b->cap = cap;
	}
}

void buf_add(struct buffer *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Append s (n bytes) in a field of width (left-justified with '-', zeros for numbers with
 * '0', after the sign). */
void buf_str(struct buffer *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_num(struct buffer *b, long long v)
{
	char num[24], *e = num + sizeof num, *d = e;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do
		*--d = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--d = '-';
	buf_add(b, d, (size_t)(e - d));
}

static void put_field(struct buffer *b, const char *s, size_t n, int width, int left, int zero)
{
	size_t pad = width > 0 && (size_t)width > n ? (size_t)width - n : 0;

	buf_reserve(b, n + pad);
	if (zero && !left && pad && (*s == '-')) {
		b->data[b->len++] = *s++;
		n--;
	}
	if (!left) {
		memset(b->data + b->len, zero ? '0' : ' ', pad);
		b->len += pad;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	if (left) {
		memset(b->data + b->len, ' ', pad);
		b->len += pad;
	}
	b->data[b->len] = '\0';
}

/* The conversions reports make by the million (%s %d %ld %lld %zu %u %x %c %%, with '-', '0'
 * and a width), without vsnprintf's general machinery (a fifth of a report's CPU). Returns 0
 * when fmt holds anything else: then b is as it was and the caller formats with vsnprintf. */
static int fast_printf(struct buffer *b, const char *fmt, va_list ap)
{
	size_t start = b->len;

	for (const char *p = fmt; *p;) {
		const char *pct = strchrnul(p, '%');
		char num[32], *e = num + sizeof num, *d = e;
		int left = 0, zero = 0, width = 0, lng = 0, size = 0, neg = 0;
		unsigned long long u;

		if (pct > p)
			buf_add(b, p, (size_t)(pct - p));
		if (!*pct)
			break;
		p = pct + 1;
		for (;; p++)
			if (*p == '-')
				left = 1;
			else if (*p == '0')
				zero = 1;
			else
				break;
		while (*p >= '0' && *p <= '9' && width <= 4096)
			width = width * 10 + (*p++ - '0');
		if (width > 4096)
			goto fallback;
		if (*p == 'l')
			lng = p[1] == 'l' ? 2 : 1, p += lng;
		else if (*p == 'z')
			size = 1, p++;
		switch (*p++) {
		case '%':
			if (left || zero || width || lng || size)
				goto fallback;
			buf_add(b, "%", 1);
			continue;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (zero || lng || size || !str)
				goto fallback;
			put_field(b, str, strlen(str), width, left, 0);
			continue;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (zero || lng || size)
				goto fallback;
			put_field(b, &c, 1, width, left, 0);
			continue;
		}
		case 'd':
		case 'i': {
			long long v = size ? (long long)va_arg(ap, ssize_t)
				    : lng == 2 ? va_arg(ap, long long)
				    : lng ? (long long)va_arg(ap, long) : (long long)va_arg(ap, int);
			neg = v < 0;
			u = neg ? 0ULL - (unsigned long long)v : (unsigned long long)v;
			break;
		}
		case 'u':
		case 'x':
			u = size ? (unsigned long long)va_arg(ap, size_t)
			    : lng == 2 ? va_arg(ap, unsigned long long)
			    : lng ? (unsigned long long)va_arg(ap, unsigned long) : (unsigned long long)va_arg(ap, unsigned);
			if (p[-1] == 'x') {
				do
					*--d = "0123456789abcdef"[u & 15];
				while (u >>= 4);
				put_field(b, d, (size_t)(e - d), width, left, zero);
				continue;
			}
			break;
		default:
			goto fallback;
		}
		do
			*--d = (char)('0' + u % 10);
		while (u /= 10);
		if (neg)
			*--d = '-';
		put_field(b, d, (size_t)(e - d), width, left, zero);
	}
	buf_reserve(b, 0); /* as vsnprintf's path: data is a string even when nothing was added */
	b->data[b->len] = '\0';
	return 1;
fallback:
	b->len = start;
	if (b->data)
		b->data[start] = '\0';
	return 0;
}

void buf_printf(struct buffer *b, const char *fmt, ...)
{
	/* Format straight into the buffer's free space (reports make millions of these calls:
	 * a vasprintf each cost an allocation and a copy); grow and format again only when
	 * it did not fit. */
	size_t room;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fast_printf(b, fmt, ap);
	va_end(ap);
	if (n)
		return;
	room = b->cap > b->len ? b->cap - b->len : 0;
	va_start(ap, fmt);
	n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("out of memory");
	if ((size_t)n >= room) {
		buf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void json_c_string(struct buffer *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	buf_add(b, "\"", 1);
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		char esc[6] = {'\\', 0};
		size_t n = 2;
		switch (c) {
		case '\b': esc[1] = 'b'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\f': esc[1] = 'f'; break;
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		default:
			if (c >= ' ')
				continue;
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		buf_add(b, run, (size_t)(p - run));
		buf_add(b, esc, n);
		run = p + 1;
	}
	buf_add(b, run, strlen(run));
	buf_add(b, "\"", 1);
}

void buf_free(struct buffer *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int read_file(const char *path, struct buffer *out)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	out->len = 0;
	buf_add(out, "", 0);
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static char *write_temp(const char *path, const void *data, size_t len, int sync)
{
	char *tmp = xasprintf("%s.parcov-tmp", path);
	int fd, e;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		goto fail;
	if (write_all(fd, data, len) < 0)
		goto fail_fd;
	if (sync && fsync(fd) < 0 && errno != EINVAL)
		goto fail_fd;
	if (close(fd) < 0) {
		fd = -1;
		goto fail_fd;
	}
	return tmp;
fail_fd:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = e;
fail:
	e = errno;
	free(tmp);
	errno = e;
	return NULL;
}

char *write_temp_beside(const char *path, const void *data, size_t len)
{
	return write_temp(path, data, len, 1);
}

char *write_temp_unsynced(const char *path, const void *data, size_t len)
{
	return write_temp(path, data, len, 0);
}

static int write_replace(const char *path, const void *data, size_t len, int sync)
{
	char *tmp = write_temp(path, data, len, sync);
	int e;
	if (!tmp)
		return -1;
	if (rename(tmp, path) < 0) {
		e = errno;
		unlink(tmp);
		free(tmp);
		errno = e;
		return -1;
	}
	free(tmp);
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	return write_replace(path, data, len, 1);
}

int write_file_unsynced(const char *path, const void *data, size_t len)
{
	return write_replace(path, data, len, 0);
}

int file_holds(const char *path, const void *data, size_t len)
{
	struct buffer b = {0};
	int same = read_file(path, &b) == 0 && b.len == len && (!len || !memcmp(b.data, data, len));

	buf_free(&b);
	return same;
}

int write_in_place(const char *path, const void *data, size_t len)
{
	const char *p = data;
	off_t off = 0;
	struct stat st;
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644), e;

	if (fd < 0)
		return -1;
	while ((size_t)off < len) {
		ssize_t n = pwrite(fd, p + off, len - (size_t)off, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		off += n;
	}
	/* Cut only what is left over: truncating to nothing first would make ext4 flush the
	 * file at close (auto_da_alloc). */
	if (fstat(fd, &st) < 0 || (st.st_size > (off_t)len && ftruncate(fd, (off_t)len) < 0))
		goto fail;
	return close(fd);
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

int mkdirs(const char *path, int mode)
{
	char *p = xstrdup(path), *s;
	struct stat st;
	int saved;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST)
			goto fail;
		*s = '/';
	}
	if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST)
		goto fail;
	if (stat(p, &st) < 0)
		goto fail;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		goto fail;
	}
	free(p);
	return 0;
fail:
	saved = errno;
	free(p);
	errno = saved;
	return -1;
}

/* Empty the directory open as fd (taken and closed). Every entry is opened relative to its
 * parent's descriptor with O_NOFOLLOW, so a directory swapped for a symlink after we looked
 * cannot take the walk outside the tree. */
static int remove_contents(int fd, const char *path)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int ret = 0;

	if (!d) {
		warn("cannot open directory %s:", path);
		close(fd);
		return -1;
	}
	while ((e = readdir(d))) {
		char *sub;
		int sub_fd;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = path_join(path, e->d_name);
		if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
			free(sub);
			continue;
		}
		if (errno != EISDIR && errno != EPERM) {
			if (errno != ENOENT) {
				warn("cannot remove %s:", sub);
				ret = -1;
			}
			free(sub);
			continue;
		}
		/* ENOENT: another remover (the background emptying of trash/) took it first. */
		sub_fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub_fd < 0) {
			if (errno != ENOENT) {
				warn("cannot open directory %s:", sub);
				ret = -1;
			}
		} else if (remove_contents(sub_fd, sub) < 0) {
			ret = -1;
		} else if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
			warn("cannot remove directory %s:", sub);
			ret = -1;
		}
		free(sub);
	}
	closedir(d);
	return ret;
}

int remove_file(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT) {
		warn("cannot remove %s:", path);
		return -1;
	}
	return 0;
}

int remove_tree(const char *given)
{
	/* "link/" would name the link's target: drop trailing slashes. */
	char *path = xstrdup(given);
	size_t n = strlen(path);
	int fd, ret = 0;

	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	/* A symlink or a file goes at once; only a real directory is entered. */
	if (unlink(path) == 0 || errno == ENOENT)
		goto out;
	if (errno != EISDIR && errno != EPERM) {
		warn("cannot remove %s:", path);
		ret = -1;
		goto out;
	}
	/* ENOENT: another remover (the background emptying of trash/) took it first. */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT) {
			warn("cannot open directory %s:", path);
			ret = -1;
		}
	} else if (remove_contents(fd, path) < 0) {
		ret = -1;
	} else if (rmdir(path) < 0 && errno != ENOENT) {
		warn("cannot remove directory %s:", path);
		ret = -1;
	}
out:
	free(path);
	return ret;
}

int is_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* a, then sep (0: none), then b, in one allocation: walks join a path per entry, and
 * vasprintf cost them a tenth of a report's instructions. */
static char *join3(const char *a, char sep, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), ns = sep != 0;
	char *r = xmalloc(na + ns + nb + 1);

	memcpy(r, a, na);
	if (ns)
		r[na] = sep;
	memcpy(r + na + ns, b, nb + 1);
	return r;
}

char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a);
	return join3(a, n > 0 && a[n - 1] == '/' ? 0 : '/', b);
}

int close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno != EPIPE) {
			error("cannot write to standard output:");
			return -1;
		}
	}
	return 0;
}

int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

long cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

int replace_dir(const char *tmp, const char *dest, const char *spare)
{
	char *old = xasprintf("%s.parcov-old", dest);
	int moved = 0;

	remove_tree(old);
	if (exists(dest)) {
		if (rename(dest, old) < 0) {
			error("cannot move %s aside:", dest);
			free(old);
			return -1;
		}
		moved = 1;
	}
	if (rename(tmp, dest) < 0) {
		error("cannot rename %s to %s:", tmp, dest);
		if (moved && rename(old, dest) < 0)
			warn("cannot put %s back (it is in %s):", dest, old);
		free(old);
		return -1;
	}
	/* The old copy is kept for reuse when it can be (EXDEV: spare on another file system,
	 * where a copy would cost more than the reuse saves); the new one is in place either way. */
	if (moved && spare) {
		remove_tree(spare);
		if (rename(old, spare) < 0)
			remove_tree(old);
	} else if (moved) {
		remove_tree(old);
	}
	free(old);
	return 0;
}

struct walk_entry {
	char *name;
	unsigned char type; /* readdir's d_type: DT_UNKNOWN when the filesystem does not say */
};

static int cmp_walk_entry(const void *a, const void *b)
{
	return strcmp(((const struct walk_entry *)a)->name, ((const struct walk_entry *)b)->name);
}

/* Read the rest of a file open at fd into *out (NUL-terminated, exactly its size allocated):
 * a short read of a regular file is its end, so a small file costs one read and one
 * allocation of its size (a data set holds thousands of files of a few hundred bytes).
 * Returns 0, or -1 with errno. */
static int read_fd(int fd, struct buffer *out)
{
	char chunk[8192];
	ssize_t n;

	buf_free(out);
	while ((n = read(fd, chunk, sizeof chunk)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return -1;
	out->data = xmalloc((size_t)n + 1);
	out->cap = (size_t)n + 1;
	memcpy(out->data, chunk, (size_t)n);
	out->len = (size_t)n;
	out->data[n] = '\0';
	while ((size_t)n == sizeof chunk) {
		while ((n = read(fd, chunk, sizeof chunk)) < 0 && errno == EINTR)
			;
		if (n < 0)
			return -1;
		buf_add(out, chunk, (size_t)n);
	}
	return 0;
}

/* A directory's entries (without "." and ".."), read with getdents64: opendir's fstat and
 * fcntl cost two system calls more per directory, and a data set has thousands. Returns
 * 0, or -1 with errno. */
static int read_entries(int fd, struct walk_entry **names, size_t *n)
{
	char buf[32768];
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	for (;;) {
		ssize_t got = getdents64(fd, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
		for (ssize_t off = 0; off < got;) {
			const struct dirent64 *e = (const struct dirent64 *)(buf + off);
			off += e->d_reclen;
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (*n == cap) {
				cap = cap ? 2 * cap : 16;
				*names = xreallocarray(*names, cap, sizeof **names);
			}
			(*names)[*n].name = xstrdup(e->d_name);
			(*names)[(*n)++].type = e->d_type;
		}
	}
}

/* What walk_rec reads for data_files(): files ending in suffix are read from their
 * directory's fd (the size and time the data filter needs come from the read: an fstat only
 * for an empty file) and handed to the callback in data and read_errno (have: read). */
struct walk_read {
	const char *suffix;
	int have, read_errno;
	struct buffer data;
};

/* Open and read name in fd for the data filter. Returns 1 when it is data (rd filled), 0 when
 * not (gone, or recycled: empty with the epoch's time), -1 when it cannot be opened (why in
 * rd): then the caller stats it as any other file. */
static int read_data_file(int fd, const char *name, struct walk_read *rd)
{
	int f = openat(fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;

	buf_free(&rd->data);
	rd->read_errno = 0;
	if (f < 0) {
		rd->read_errno = errno;
		return errno == ENOENT ? 0 : -1;
	}
	if (read_fd(f, &rd->data) < 0) {
		rd->read_errno = errno ? errno : EIO;
		buf_free(&rd->data);
	} else if (rd->data.len == 0 && fstat(f, &st) == 0 && st.st_mtime == 0) {
		close(f);
		return 0;
	}
	close(f);
	return 1;
}

/* What a walk does, passed down its recursion. */
struct walk {
	const char *root;
	const char *const *skip;
	int data;
	struct walk_read *rd;
	walk_fn *fn;
	void *ctx;
};

static int walk_rec(int parent, const char *rel, const struct walk *w);

/* One entry e of the directory open at fd (dir: its path, rel: relative to the root). */
static int walk_one(int fd, const char *dir, const char *rel, const struct walk_entry *e,
		    const struct walk *w)
{
	char *sub = rel[0] ? join3(rel, '/', e->name) : xstrdup(e->name);
	unsigned char type = e->type;
	struct stat st = {0};
	int ret = 0, skipped = 0, gone = 0, read = 0; /* read: read_data_file()'s */
	/* A hidden data file (data_hidden_len) goes by its visible name: sub is cut to it. */
	size_t hidden = w->data ? data_hidden_len(e->name) : 0;
	size_t real_len = strlen(sub), cut = hidden ? real_len - strlen(e->name) + hidden : real_len;

	sub[cut] = '\0';
	if (w->rd && type == DT_REG && ends_with(sub, w->rd->suffix) &&
	    (read = read_data_file(fd, e->name, w->rd)) == 0)
		goto out; /* gone, or recycled */
	if (read <= 0 && (type == DT_UNKNOWN || (w->data && type == DT_REG))) {
		gone = fstatat(fd, e->name, &st, AT_SYMLINK_NOFOLLOW) < 0;
		if (gone && errno != ENOENT) {
			/* Gone since readdir: fine; unreadable: the caller must not go on as if it
			 * had seen everything. */
			warn("cannot stat %s/%s:", dir, e->name);
			ret = -1;
			goto out;
		}
		type = gone ? DT_UNKNOWN : S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
	}
	if (type == DT_DIR) {
		if (hidden)
			sub[cut] = e->name[hidden]; /* a directory keeps its name */
		for (const char *const *s = w->skip; s && *s; s++)
			skipped |= !strcmp(*s, sub) || (!strncmp(*s, "*/", 2) && !strcmp(*s + 2, e->name));
		if (!skipped)
			ret = walk_rec(fd, sub, w);
	} else if (type == DT_REG && (!w->data || read > 0 || st.st_size > 0 || st.st_mtime != 0)) {
		char *full;
		if (hidden)
			sub[cut] = e->name[hidden]; /* the real name for the path */
		full = path_join(w->root, sub);
		sub[cut] = '\0';
		if (w->rd)
			w->rd->have = read != 0;
		ret = w->fn(full, sub, w->ctx);
		free(full);
	}
out:
	free(sub);
	return ret;
}

/* The directory rel (relative to the root; "" for the root itself) in parent, its entries
 * sorted. *names gets them (the caller frees) and the result is its open fd, or -1 (warned). */
static int walk_open(int parent, const char *rel, const struct walk *w, char **dir,
		     struct walk_entry **names, size_t *n)
{
	const char *base = rel[0] ? (strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel) : w->root;
	/* The root may be a symbolic link (data sets are reached through current/); below it,
	 * none is followed. */
	int fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (rel[0] ? O_NOFOLLOW : 0));

	*dir = rel[0] ? path_join(w->root, rel) : xstrdup(w->root);
	*names = NULL;
	*n = 0;
	if (fd < 0 || read_entries(fd, names, n) < 0) {
		warn("cannot open directory %s:", *dir);
		if (fd >= 0)
			close(fd);
		for (size_t i = 0; i < *n; i++)
			free((*names)[i].name);
		free(*names);
		*names = NULL;
		*n = 0;
		return -1;
	}
	if (*n > 1)
		qsort(*names, *n, sizeof **names, cmp_walk_entry);
	return fd;
}

/* Directory entries are stat'ed only where readdir does not give their type, or the data
 * filter needs a file's size and time: a build tree has thousands of files, and the
 * coverage step walks it more than once. Paths are looked up from their directory's fd. */
static int walk_rec(int parent, const char *rel, const struct walk *w)
{
	struct walk_entry *names;
	size_t n;
	char *dir;
	int ret = 0, fd = walk_open(parent, rel, w, &dir, &names, &n);

	if (fd < 0) {
		free(dir);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (ret == 0)
			ret = walk_one(fd, dir, rel, &names[i], w);
		free(names[i].name);
	}
	close(fd);
	free(names);
	free(dir);
	return ret;
}

struct pool_run {
	void (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t n;
	atomic_size_t next; /* a lock per item made the threads wait on each other (futex) */
	struct msgs *capturing; /* the caller's: its workers' messages go with its own */
};

static void *pool_worker(void *arg)
{
	struct pool_run *p = arg;
	capturing = p->capturing;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n)
			return NULL;
		p->fn(p->ctx, i);
	}
}

void parallel_for(size_t n, void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct pool_run p = {fn, ctx, n, 0, capturing};
	size_t nt = (size_t)cpu_count(), started = 0;
	pthread_t th[64];

	if (nt > n)
		nt = n;
	if (nt > sizeof th / sizeof *th)
		nt = sizeof th / sizeof *th;
	/* The calling thread is one of the workers. */
	for (size_t i = 1; i < nt; i++)
		if (pthread_create(&th[started], NULL, pool_worker, &p) == 0)
			started++;
	pool_worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

int walk_files(const char *root, const char *const *skip, walk_fn *fn, void *ctx)
{
	struct walk w = {root, skip, 0, NULL, fn, ctx};
	return walk_rec(AT_FDCWD, "", &w);
}

int walk_data(const char *root, const char *const *skip, walk_fn *fn, void *ctx)
{
	struct walk w = {root, skip, 1, NULL, fn, ctx};
	return walk_rec(AT_FDCWD, "", &w);
}

/* One entry of a walk's root, walked by one thread (data_files(), walk_files_parallel()):
 * the first member of their tasks. */
struct root_task {
	struct walk w; /* w.ctx: the task */
	int ret;
};

struct root_walk {
	int fd;
	const char *dir;
	struct walk_entry *names;
	char *tasks; /* stride bytes each, a struct root_task first */
	size_t stride;
};

static void root_walk_one(void *ctx, size_t i)
{
	struct root_walk *r = ctx;
	struct root_task *t = (struct root_task *)(r->tasks + i * r->stride);
	t->ret = walk_one(r->fd, r->dir, "", &r->names[i], &t->w);
}

/* What one entry of the root holds, for walk_files_parallel(). */
struct found_task {
	struct root_task base;
	struct found {
		char *path, *rel;
	} *v;
	size_t n, cap;
};

static int keep_found(const char *path, const char *rel, void *ctx)
{
	struct found_task *t = ctx;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	t->v[t->n].path = xstrdup(path);
	t->v[t->n++].rel = xstrdup(rel);
	return 0;
}

int walk_files_parallel(const char *root, const char *const *skip, walk_fn *fn, void *ctx)
{
	struct walk w = {root, skip, 0, NULL, keep_found, NULL};
	struct root_walk d = {0};
	struct found_task *tasks;
	char *dir;
	size_t nn;
	int ret = 0;

	d.fd = walk_open(AT_FDCWD, "", &w, &dir, &d.names, &nn);
	if (d.fd < 0) {
		free(dir);
		return -1;
	}
	d.dir = dir;
	tasks = xcalloc(nn ? nn : 1, sizeof *tasks);
	d.tasks = (char *)tasks;
	d.stride = sizeof *tasks;
	for (size_t i = 0; i < nn; i++) {
		tasks[i].base.w = w;
		tasks[i].base.w.ctx = &tasks[i];
	}
	parallel_for(nn, root_walk_one, &d);
	/* The callbacks in walk order, stopping where the serial walk would have. */
	for (size_t i = 0; i < nn; i++) {
		struct found_task *t = &tasks[i];
		for (size_t k = 0; k < t->n; k++) {
			if (ret == 0)
				ret = fn(t->v[k].path, t->v[k].rel, ctx);
			free(t->v[k].path);
			free(t->v[k].rel);
		}
		if (ret == 0)
			ret = t->base.ret;
		free(t->v);
		free(d.names[i].name);
	}
	close(d.fd);
	free(tasks);
	free(d.names);
	free(dir);
	return ret;
}

uint64_t str_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static size_t str_table_find(const struct str_table *t, const char *key, size_t len)
{
	size_t k = str_hash(key, len) & (t->nslots - 1);
	while (t->slots[k]) {
		const char *e = *(char *const *)t->slots[k];
		if (!strncmp(e, key, len) && !e[len])
			break;
		k = (k + 1) & (t->nslots - 1);
	}
	return k;
}

void **str_table_slot(struct str_table *t, const char *key, size_t len)
{
	if (2 * (t->n + 1) > t->nslots) {
		void **old = t->slots;
		size_t n = t->nslots;
		t->nslots = n ? 2 * n : 256;
		t->slots = xcalloc(t->nslots, sizeof *t->slots);
		for (size_t i = 0; i < n; i++)
			if (old[i]) {
				const char *e = *(char *const *)old[i];
				t->slots[str_table_find(t, e, strlen(e))] = old[i];
			}
		free(old);
	}
	return &t->slots[str_table_find(t, key, len)];
}

void str_table_free(struct str_table *t, void (*free_entry)(void *))
{
	for (size_t i = 0; i < t->nslots; i++)
		if (t->slots[i])
			free_entry(t->slots[i]);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

/* Directories' real paths (realpath_cached()): realpath() reads every component of every
 * source name again (a readlink each), thousands per report. Entries are keyed by the name
 * asked for ("" for the root). */
struct real_dir {
	char *dir, *real; /* real NULL: realpath failed with err */
	int err;
};

static struct {
	pthread_mutex_t mu;
	struct str_table t;
} real_cache = {PTHREAD_MUTEX_INITIALIZER, {NULL, 0, 0}};

static void real_put(struct real_dir *d)
{
	*str_table_slot(&real_cache.t, d->dir, strlen(d->dir)) = d;
	real_cache.t.n++;
}

static struct real_dir *real_get(const char *name, size_t len)
{
	return *str_table_slot(&real_cache.t, name, len);
}

/* The cached realpath of the first len bytes of path (a directory name); NULL with errno. */
static const char *real_dir(const char *path, size_t len)
{
	struct real_dir *d = real_get(path, len);

	if (!d) {
		char buf[PATH_MAX];
		d = xcalloc(1, sizeof *d);
		d->dir = len ? strndup(path, len) : xstrdup("/");
		if (!d->dir)
			fatal("out of memory");
		if (realpath(d->dir, buf))
			d->real = xstrdup(buf);
		else
			d->err = errno;
		/* Stored under the name asked for ("" for the root). */
		d->dir[len] = '\0';
		real_put(d);
	}
	errno = d->err;
	return d->real;
}

char *realpath_cached(const char *path, char *out)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : NULL, *dir;
	struct real_dir *d;
	struct stat st;
	char *ret = NULL;
	int e;

	/* Only plain absolute names ending in a plain file name: the rest as realpath() does. */
	if (path[0] != '/' || !*base || !strcmp(base, ".") || !strcmp(base, "..") || strstr(path, "//") ||
	    strstr(path, "/./") || strstr(path, "/../"))
		return realpath(path, out);
	pthread_mutex_lock(&real_cache.mu);
	/* A name asked again (a header is a source of every object including it), or a
	 * directory resolved already: the same answer. */
	if ((d = real_get(path, strlen(path)))) {
		e = d->err;
		if (d->real && strlen(d->real) < PATH_MAX)
			ret = strcpy(out, d->real);
		pthread_mutex_unlock(&real_cache.mu);
		errno = e;
		return ret;
	}
	dir = real_dir(path, (size_t)(slash - path));
	e = errno;
	if (!dir) {
		pthread_mutex_unlock(&real_cache.mu);
		errno = e;
		return NULL;
	}
	if (lstat(path, &st) < 0) {
		e = errno;
	} else if (S_ISLNK(st.st_mode)) {
		ret = realpath(path, out);
		e = errno;
	} else if (snprintf(out, PATH_MAX, "%s/%s", strcmp(dir, "/") ? dir : "", base) < PATH_MAX) {
		ret = out;
	} else {
		e = ENAMETOOLONG;
	}
	d = xcalloc(1, sizeof *d);
	d->dir = xstrdup(path);
	d->real = ret ? xstrdup(ret) : NULL;
	d->err = ret ? 0 : e;
	real_put(d);
	pthread_mutex_unlock(&real_cache.mu);
	errno = e;
	return ret;
}

static void free_real_dir(void *p)
{
	struct real_dir *d = p;
	free(d->dir);
	free(d->real);
	free(d);
}

void realpath_cache_forget(void)
{
	pthread_mutex_lock(&real_cache.mu);
	str_table_free(&real_cache.t, free_real_dir);
	pthread_mutex_unlock(&real_cache.mu);
}

/* Source files (source_file()): a table of entries under one lock, held only to find or add
 * one; each entry's own lock covers its stat and read (the threads of gcovtext and of the
 * HTML would otherwise queue behind each other's reads). */
struct source_entry {
	char *path;
	pthread_mutex_t mu;
	int have_stat, have_text;
	struct source_file f;
};

static struct {
	pthread_mutex_t mu;
	struct str_table t;
} source_cache = {PTHREAD_MUTEX_INITIALIZER, {NULL, 0, 0}};

const struct source_file *source_file(const char *path, int text)
{
	struct source_entry *e, **slot;

	pthread_mutex_lock(&source_cache.mu);
	slot = (struct source_entry **)str_table_slot(&source_cache.t, path, strlen(path));
	if (!(e = *slot)) {
		e = xcalloc(1, sizeof *e);
		e->path = xstrdup(path);
		pthread_mutex_init(&e->mu, NULL);
		*slot = e;
		source_cache.t.n++;
	}
	pthread_mutex_unlock(&source_cache.mu);
	pthread_mutex_lock(&e->mu);
	if (!e->have_stat) {
		e->have_stat = 1;
		if (stat(path, &e->f.st) < 0)
			e->f.stat_errno = errno ? errno : EIO;
	}
	if (text && !e->have_text) {
		e->have_text = 1;
		if (read_file(path, &e->f.text) < 0) {
			e->f.read_errno = errno ? errno : EIO;
			buf_free(&e->f.text);
		}
	}
	pthread_mutex_unlock(&e->mu);
	return &e->f;
}

static void free_source_entry(void *p)
{
	struct source_entry *e = p;
	free(e->path);
	pthread_mutex_destroy(&e->mu);
	buf_free(&e->f.text);
	free(e);
}

void source_cache_forget(void)
{
	pthread_mutex_lock(&source_cache.mu);
	str_table_free(&source_cache.t, free_source_entry);
	pthread_mutex_unlock(&source_cache.mu);
}

/* The one data set read by this process (data_files()). */
static struct {
	char *root, *suffix;
	struct data_file *v;
	size_t n, cap;
	int ret;
} data_cache;

/* One entry of the data set's directory (a test's directory), walked by one thread. */
struct data_task {
	struct root_task base;
	struct walk_read rd;
	struct data_file *v;
	size_t n, cap;
};

static int keep_data_file(const char *path, const char *rel, void *ctx)
{
	struct data_task *t = ctx;
	struct data_file *f;

	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	f = &t->v[t->n++];
	memset(f, 0, sizeof *f);
	f->path = xstrdup(path);
	f->rel = xstrdup(rel);
	if (t->rd.have) {
		/* Read by the walk: taken. */
		f->data = t->rd.data;
		f->read_errno = t->rd.read_errno;
		memset(&t->rd.data, 0, sizeof t->rd.data);
	} else if (ends_with(rel, t->rd.suffix) && read_file(path, &f->data) < 0) {
		/* Not read by the walk (the file system gave no type). */
		f->read_errno = errno ? errno : EIO;
		buf_free(&f->data);
	}
	return 0;
}

int data_files(const char *root, const char *suffix, const struct data_file **files, size_t *n)
{
	if (!data_cache.root || strcmp(data_cache.root, root) || strcmp(data_cache.suffix, suffix)) {
		struct walk w = {root, NULL, 1, NULL, keep_data_file, NULL};
		struct root_walk d = {0};
		struct data_task *tasks;
		char *dir;
		size_t nn;

		data_files_forget();
		data_cache.root = xstrdup(root);
		data_cache.suffix = xstrdup(suffix);
		/* The tests' directories walked in parallel: thousands of small directories and
		 * files, the kernel's time more than ours. Results kept in walk order. */
		d.fd = walk_open(AT_FDCWD, "", &w, &dir, &d.names, &nn);
		d.dir = dir;
		data_cache.ret = d.fd < 0 ? -1 : 0;
		tasks = xcalloc(nn ? nn : 1, sizeof *tasks);
		d.tasks = (char *)tasks;
		d.stride = sizeof *tasks;
		for (size_t i = 0; i < nn; i++) {
			tasks[i].base.w = w;
			tasks[i].base.w.rd = &tasks[i].rd;
			tasks[i].base.w.ctx = &tasks[i];
			tasks[i].rd.suffix = suffix;
		}
		if (d.fd >= 0)
			parallel_for(nn, root_walk_one, &d);
		for (size_t i = 0; i < nn; i++) {
			struct data_task *t = &tasks[i];
			buf_free(&t->rd.data);
			if (data_cache.ret == 0)
				data_cache.ret = t->base.ret;
			if (data_cache.n + t->n > data_cache.cap) {
				data_cache.cap = 2 * (data_cache.n + t->n);
				data_cache.v = xreallocarray(data_cache.v, data_cache.cap, sizeof *data_cache.v);
			}
			memcpy(data_cache.v + data_cache.n, t->v, t->n * sizeof *t->v);
			data_cache.n += t->n;
			free(t->v);
			free(d.names[i].name);
		}
		if (d.fd >= 0)
			close(d.fd);
		free(tasks);
		free(d.names);
		free(dir);
	}
	*files = data_cache.v;
	*n = data_cache.n;
	return data_cache.ret;
}

void data_files_forget(void)
{
	for (size_t i = 0; i < data_cache.n; i++) {
		free(data_cache.v[i].path);
		free(data_cache.v[i].rel);
		buf_free(&data_cache.v[i].data);
	}
	free(data_cache.v);
	free(data_cache.root);
	free(data_cache.suffix);
	memset(&data_cache, 0, sizeof data_cache);
}

size_t data_hidden_len(const char *name)
{
	const char *p = strstr(name, ".gcda" DATA_HIDDEN);

	/* The last such part: NAME itself may hold one. */
	for (const char *q = p; q; q = strstr(q + 1, ".gcda" DATA_HIDDEN))
		p = q;
	if (!p || p == name)
		return 0;
	for (const char *d = p + strlen(".gcda" DATA_HIDDEN); *d; d++)
		if (*d < '0' || *d > '9')
			return 0;
	return (size_t)(p - name) + 5;
}

int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

void strings_add(struct strings *l, char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = s;
}

int strings_has(const struct strings *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

void strings_free(struct strings *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
