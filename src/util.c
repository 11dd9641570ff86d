#define _GNU_SOURCE
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *argv0 = "parcov";
int verbose = 1;

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	fflush(stdout);
	fprintf(stderr, "%s: %s", argv0, kind);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
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
	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
	exit(1);
}

void progress(size_t done, size_t total, const char *what)
{
	static int tty = -1;
	if (tty < 0)
		tty = isatty(2);
	if (!verbose || !tty || total == 0)
		return;
	fprintf(stderr, "\r%s: %s: %zu/%zu%s", argv0, what, done, total, done >= total ? "\n" : "");
	fflush(stderr);
}

void info(const char *fmt, ...)
{
	va_list ap;
	if (!verbose)
		return;
	va_start(ap, fmt);
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

void buf_printf(struct buffer *b, const char *fmt, ...)
{
	/* Format straight into the buffer's free space (reports make millions of these calls:
	 * a vasprintf each cost an allocation and a copy); grow and format again only when
	 * it did not fit. */
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	va_list ap;
	int n;

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

int write_file_atomic(const char *path, const void *data, size_t len)
{
	char *tmp = write_temp_beside(path, data, len);
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

char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n > 0 && a[n - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
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

/* Directory entries are stat'ed only where readdir does not give their type, or the data
 * filter needs a file's size and time: a build tree has thousands of files, and the
 * coverage step walks it more than once. Paths are looked up from their directory's fd. */
static int walk_rec(int parent, const char *root, const char *rel, const char *const *skip,
		    int data, walk_fn *fn, void *ctx)
{
	char *dir = rel[0] ? path_join(root, rel) : xstrdup(root);
	const char *base = rel[0] ? (strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel) : root;
	struct walk_entry *names = NULL;
	size_t n = 0;
	struct dirent *e;
	/* The root may be a symbolic link (data sets are reached through current/); below it,
	 * none is followed. */
	int ret = 0, fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (rel[0] ? O_NOFOLLOW : 0));
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (!d) {
		warn("cannot open directory %s:", dir);
		if (fd >= 0)
			close(fd);
		free(dir);
		return -1;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n].name = xstrdup(e->d_name);
		names[n++].type = e->d_type;
	}
	qsort(names, n, sizeof *names, cmp_walk_entry);
	for (size_t i = 0; i < n; i++) {
		char *sub = rel[0] ? xasprintf("%s/%s", rel, names[i].name) : xstrdup(names[i].name);
		unsigned char type = names[i].type;
		struct stat st = {0};
		int skipped = 0, gone = 0;

		if (ret == 0 && (type == DT_UNKNOWN || (data && type == DT_REG))) {
			gone = fstatat(fd, names[i].name, &st, AT_SYMLINK_NOFOLLOW) < 0;
			if (gone && errno != ENOENT) {
				/* Gone since readdir: fine; unreadable: the caller must not go on as
				 * if it had seen everything. */
				warn("cannot stat %s/%s:", dir, names[i].name);
				ret = -1;
			}
			type = gone ? DT_UNKNOWN : S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
		}
		if (ret == 0 && type == DT_DIR) {
			for (const char *const *s = skip; s && *s; s++)
				skipped |= !strcmp(*s, sub) ||
				           (!strncmp(*s, "*/", 2) && !strcmp(*s + 2, names[i].name));
			if (!skipped)
				ret = walk_rec(fd, root, sub, skip, data, fn, ctx);
		} else if (ret == 0 && type == DT_REG && (!data || st.st_size > 0 || st.st_mtime != 0)) {
			char *full = path_join(root, sub);
			size_t visible = data ? data_hidden_len(names[i].name) : 0;
			if (visible)
				sub[strlen(sub) - strlen(names[i].name) + visible] = '\0';
			ret = fn(full, sub, ctx);
			free(full);
		}
		free(sub);
		free(names[i].name);
	}
	closedir(d);
	free(names);
	free(dir);
	return ret;
}

int walk_files(const char *root, const char *const *skip, walk_fn *fn, void *ctx)
{
	return walk_rec(AT_FDCWD, root, "", skip, 0, fn, ctx);
}

int walk_data(const char *root, const char *const *skip, walk_fn *fn, void *ctx)
{
	return walk_rec(AT_FDCWD, root, "", skip, 1, fn, ctx);
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
