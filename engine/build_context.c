/*
 * Build contexts: .dockerignore patterns matched as Docker matches them,
 * and the context directory written as a tar (libarchive) for POST /build.
 */
#include "engine/engine.h"

#include "engine/archive_api.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat/compat.h"
#include "util/sbuf.h"
#include "util/sha256.h"
#include "util/xalloc.h"

/* A formatted string on the heap. */
static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return sbuf_detach(&sb, NULL);
}

/* ---- .dockerignore -------------------------------------------------------
 */

struct ignore_pat {
	char *pat; /* cleaned, without the '!' */
	bool exclusion;
};

struct engine_ignore {
	struct ignore_pat *v;
	size_t n, alloc;
	bool exclusions; /* some pattern starts with '!' */
};

/*
 * Go's filepath.Clean on a slash path: collapses "//", drops "." and
 * resolves ".." where it can; "" becomes ".".
 */
static char *path_clean(const char *in)
{
	size_t n = strlen(in);
	char *out = xmalloc(n + 2);
	bool rooted = in[0] == '/';
	size_t w = rooted ? 1 : 0, dotdot = w, r = w;

	out[0] = '/';
	while (r < n) {
		if (in[r] == '/') {
			r++;
		} else if (in[r] == '.' && (r + 1 == n || in[r + 1] == '/')) {
			r++;
		} else if (in[r] == '.' && in[r + 1] == '.' &&
			   (r + 2 == n || in[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				while (w > dotdot && out[--w] != '/')
					;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && in[r] != '/'; r++)
				out[w++] = in[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

/* A '[' class is well-formed (Go's filepath.Match reports ErrBadPattern). */
static bool class_ok(const char *p)
{
	const char *q = p + 1;

	if (*q == '^')
		q++;
	if (*q == ']')
		return false;
	for (; *q && *q != ']'; q++)
		if (*q == '\\' && !*++q)
			return false;
	return *q == ']';
}

static bool pattern_ok(const char *p)
{
	for (; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '[' && !class_ok(p))
			return false;
	}
	return true;
}

void engine_ignore_add(struct engine_ignore *ig, const char *pattern)
{
	bool excl = pattern[0] == '!';
	char *c = path_clean(excl ? pattern + 1 : pattern);

	ALLOC_GROW(ig->v, ig->n + 1, ig->alloc);
	ig->v[ig->n++] = (struct ignore_pat){c, excl};
	ig->exclusions |= excl;
}

/* Trims blanks at both ends in place; returns the start. */
static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' ||
	       *s == '\f')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
		     s[n - 1] == '\v' || s[n - 1] == '\f'))
		s[--n] = '\0';
	return s;
}

/* One line of the file as Docker's ignorefile reader takes it. */
static int ignore_line(struct engine_ignore *ig,
		       char *line,
		       int lineno,
		       const char *file,
		       struct diag *err)
{
	bool excl;
	char *p, *c;
	struct sbuf sb = SBUF_INIT;

	/* Comments are recognized before trimming, as in Docker. */
	if (line[0] == '#')
		return 0;
	p = trim(line);
	if (!*p)
		return 0;
	excl = *p == '!';
	if (excl)
		p = trim(p + 1);
	if (excl && !*p)
		return diag_set(err, DIAG_EMODEL, NULL,
				"%s:%d: illegal exclusion pattern '!'", file,
				lineno);
	c = path_clean(p);
	if (!pattern_ok(c)) {
		diag_set(err, DIAG_EMODEL, NULL, "%s:%d: bad pattern '%s'",
			 file, lineno, p);
		free(c);
		return DIAG_EMODEL;
	}
	if (excl)
		sbuf_addch(&sb, '!');
	sbuf_adds(&sb, c[0] == '/' && c[1] ? c + 1 : c);
	engine_ignore_add(ig, sb.buf);
	sbuf_release(&sb);
	free(c);
	return 0;
}

int engine_ignore_parse(struct engine_ignore **out,
			const char *text,
			const char *file,
			struct diag *err)
{
	struct engine_ignore *ig = xcalloc(1, sizeof(*ig));
	char *copy = xstrdup(text ? text : ""), *save = NULL, *line, *s;
	int lineno = 0, rc = 0;

	*out = NULL;
	s = copy;
	/* A UTF-8 byte order mark on the first line is dropped. */
	if (!strncmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	for (char *nl = s;; nl++) {
		if (*nl != '\n' && *nl)
			continue;
		save = nl;
		line = s;
		lineno++;
		if (*save) {
			*save = '\0';
			s = save + 1;
		} else {
			s = NULL;
		}
		if ((rc = ignore_line(ig, line, lineno, file, err)))
			break;
		if (!s)
			break;
		nl = s - 1;
	}
	free(copy);
	if (rc) {
		engine_ignore_free(ig);
		return rc;
	}
	*out = ig;
	return 0;
}

struct engine_ignore *engine_ignore_new(void)
{
	return xcalloc(1, sizeof(struct engine_ignore));
}

void engine_ignore_free(struct engine_ignore *ig)
{
	if (!ig)
		return;
	for (size_t i = 0; i < ig->n; i++)
		free(ig->v[i].pat);
	free(ig->v);
	free(ig);
}

bool engine_ignore_has_exclusions(const struct engine_ignore *ig)
{
	return ig && ig->exclusions;
}

static bool has_meta(const char *p)
{
	return strpbrk(p, "*?[\\") != NULL;
}

/* A '[...]' class at 'p' against 'c'; '*end' gets the text after it. */
static bool class_match(const char *p, char c, const char **end)
{
	bool neg = false, hit = false;

	p++;
	if (*p == '^') {
		neg = true;
		p++;
	}
	while (*p && *p != ']') {
		char lo = *p == '\\' && p[1] ? *++p : *p, hi = lo;

		p++;
		if (*p == '-' && p[1] && p[1] != ']') {
			p++;
			hi = *p == '\\' && p[1] ? *++p : *p;
			p++;
		}
		if (c >= lo && c <= hi)
			hit = true;
	}
	*end = *p ? p + 1 : p;
	return hit != neg;
}

static bool glob(const char *p, const char *s, bool at_start);

/*
 * "**": at the end it takes everything; "**" then "/" (or anything else
 * in the middle) takes zero or more whole directories.  A leading "**"
 * followed by plain text is a suffix match, as in Docker.
 */
static bool glob_stars(const char *p, const char *s, bool at_start)
{
	bool slash = *p == '/';

	if (slash)
		p++;
	if (!*p)
		return true;
	if (at_start && !slash && !has_meta(p)) {
		size_t lp = strlen(p), ls = strlen(s);

		return ls >= lp && !strcmp(s + ls - lp, p);
	}
	if (glob(p, s, false))
		return true;
	for (const char *q = s; *q; q++)
		if (*q == '/' && glob(p, q + 1, false))
			return true;
	return false;
}

static bool glob(const char *p, const char *s, bool at_start)
{
	for (; *p; p++, s++, at_start = false) {
		switch (*p) {
		case '*':
			if (p[1] == '*')
				return glob_stars(p + 2, s, at_start);
			for (;; s++) {
				if (glob(p + 1, s, false))
					return true;
				if (!*s || *s == '/')
					return false;
			}
		case '?':
			if (!*s || *s == '/')
				return false;
			break;
		case '[': {
			const char *end;

			if (!*s || !class_match(p, *s, &end))
				return false;
			p = end - 1;
			break;
		}
		case '\\':
			if (p[1])
				p++;
			/* fall through */
		default:
			if (*p != *s)
				return false;
			break;
		}
	}
	return !*s;
}

/* The pattern matches 'path' or one of its parent directories. */
static bool pat_match(const struct ignore_pat *ip, char *path)
{
	if (glob(ip->pat, path, true))
		return true;
	for (char *q = path; (q = strchr(q, '/')); q++) {
		bool m;

		*q = '\0';
		m = glob(ip->pat, path, true);
		*q = '/';
		if (m)
			return true;
	}
	return false;
}

bool engine_ignore_match(const struct engine_ignore *ig, const char *path)
{
	bool matched = false;
	char *p;

	if (!ig || !ig->n)
		return false;
	p = path_clean(path);
	/* The context root itself is never excluded. */
	if (strcmp(p, ".") != 0) {
		for (size_t i = 0; i < ig->n; i++) {
			/* Later patterns only change the outcome. */
			if (ig->v[i].exclusion != matched)
				continue;
			if (pat_match(&ig->v[i], p))
				matched = !ig->v[i].exclusion;
		}
	}
	free(p);
	return matched;
}

/* ---- The tar ---------------------------------------------------------------
 */

struct ctx_writer {
	struct archive *ar;
	const struct engine_ignore *ig;
	const char *skip; /* the generated Dockerfile name, or NULL */
	struct diag *err;
	char buf[65536];
};

static int ar_error(struct ctx_writer *w, const char *what)
{
	return diag_set(w->err, DIAG_EIO, NULL, "build context: %s: %s", what,
			archive_error_string(w->ar)
				? archive_error_string(w->ar)
				: "write failed");
}

static int copy_data(struct ctx_writer *w, const char *abs, const char *rel)
{
	int fd = compat_open_read(abs);
	ssize_t n;

	if (fd < 0)
		return diag_set(w->err, DIAG_EIO, NULL,
				"build context: cannot read '%s': %s", rel,
				strerror(errno));
	while ((n = read(fd, w->buf, sizeof(w->buf))) > 0) {
		if (archive_write_data(w->ar, w->buf, (size_t)n) != n) {
			close(fd);
			return ar_error(w, rel);
		}
	}
	close(fd);
	if (n < 0)
		return diag_set(w->err, DIAG_EIO, NULL,
				"build context: cannot read '%s': %s", rel,
				strerror(errno));
	return 0;
}

/* One entry: owner root as the docker CLI sends it, mode and time kept. */
static int add_entry(struct ctx_writer *w,
		     const char *abs,
		     const char *rel,
		     const struct stat *st)
{
	struct archive_entry *e = archive_entry_new();
	char target[4096];
	int rc = 0;

	archive_entry_copy_stat(e, st);
	archive_entry_set_pathname(e, rel);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_nlink(e, 1);
	if (compat_is_link(st)) {
		if (compat_readlink(abs, target, sizeof(target)) < 0) {
			archive_entry_free(e);
			return diag_set(w->err, DIAG_EIO, NULL,
					"build context: cannot read link '%s': "
					"%s",
					rel, strerror(errno));
		}
		archive_entry_set_symlink(e, target);
		archive_entry_set_size(e, 0);
	} else if (!S_ISREG(st->st_mode)) {
		archive_entry_set_size(e, 0);
	}
	if (archive_write_header(w->ar, e) != ARCHIVE_OK)
		rc = ar_error(w, rel);
	else if (S_ISREG(st->st_mode))
		rc = copy_data(w, abs, rel);
	archive_entry_free(e);
	return rc;
}

static int walk(struct ctx_writer *w, const char *abs, const char *rel);

static int walk_one(struct ctx_writer *w, const char *abs, const char *rel)
{
	struct stat st;
	bool excluded;

	if (compat_lstat(abs, &st))
		return diag_set(w->err, DIAG_EIO, NULL,
				"build context: cannot stat '%s': %s", rel,
				strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !compat_is_link(&st))
		return 0; /* sockets, fifos and devices are not sent */
	if (w->skip && !strcmp(rel, w->skip))
		return 0;
	excluded = engine_ignore_match(w->ig, rel);
	if (!S_ISDIR(st.st_mode))
		return excluded ? 0 : add_entry(w, abs, rel, &st);
	/*
	 * An excluded directory is not sent; its content is still walked
	 * when a '!' pattern may bring some of it back.
	 */
	if (excluded && !engine_ignore_has_exclusions(w->ig))
		return 0;
	if (!excluded) {
		int rc = add_entry(w, abs, rel, &st);

		if (rc)
			return rc;
	}
	return walk(w, abs, rel);
}

static int walk(struct ctx_writer *w, const char *abs, const char *rel)
{
	char **names;
	size_t n;
	int rc = 0;

	if (compat_dir_list(&names, &n, abs))
		return diag_set(w->err, DIAG_EIO, NULL,
				"build context: cannot read directory '%s': %s",
				rel ? rel : abs, strerror(errno));
	for (size_t i = 0; i < n; i++) {
		char *a, *r;

		if (!rc) {
			a = strf("%s/%s", abs, names[i]);
			r = rel ? strf("%s/%s", rel, names[i])
				: xstrdup(names[i]);
			rc = walk_one(w, a, r);
			free(a);
			free(r);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb = SBUF_INIT;
	char buf[8192];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(f);
	if (len)
		*len = sb.len;
	return sbuf_detach(&sb, NULL);
}

/* A regular file entry with 'data', owned by root, mode 0644. */
static int
add_blob(struct ctx_writer *w, const char *name, const char *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();
	int rc = 0;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	if (archive_write_header(w->ar, e) != ARCHIVE_OK ||
	    archive_write_data(w->ar, data, len) != (la_ssize_t)len)
		rc = ar_error(w, name);
	archive_entry_free(e);
	return rc;
}

/*
 * Where the Dockerfile is: a path inside the context (relative, '/'
 * separated) in '*in_ctx', or its text in '*text' when it is inline or
 * outside the context (it then goes into the tar under a generated name).
 */
static int locate_dockerfile(const struct engine_context_spec *cs,
			     const char *root,
			     char **in_ctx,
			     char **text,
			     size_t *len,
			     struct diag *err)
{
	const char *df = cs->dockerfile ? cs->dockerfile : "Dockerfile";
	char *joined, *real;
	size_t rl = strlen(root);

	*in_ctx = *text = NULL;
	if (cs->dockerfile_inline) {
		*text = xstrdup(cs->dockerfile_inline);
		*len = strlen(*text);
		return 0;
	}
	joined = compat_path_is_abs(df) ? xstrdup(df) : strf("%s/%s", root, df);
	real = compat_realpath(joined);
	if (!real) {
		diag_set(err, DIAG_EIO, NULL,
			 "build context '%s': cannot find the Dockerfile "
			 "'%s': %s",
			 cs->dir, df, strerror(errno));
		free(joined);
		return DIAG_EIO;
	}
	free(joined);
	if (!strncmp(real, root, rl) && real[rl] == '/') {
		*in_ctx = xstrdup(real + rl + 1);
	} else if (!(*text = read_file(real, len))) {
		diag_set(err, DIAG_EIO, NULL, "cannot read the Dockerfile '%s'",
			 real);
		free(real);
		return DIAG_EIO;
	}
	free(real);
	return 0;
}

/* The .dockerignore of the context, with Docker's keep rules added. */
static int load_ignore(struct engine_ignore **out,
		       const char *root,
		       const char *dockerfile,
		       struct diag *err)
{
	char *path = strf("%s/.dockerignore", root);
	char *text = read_file(path, NULL);
	int rc;

	*out = NULL;
	if (!text) {
		free(path);
		*out = engine_ignore_new();
		return 0;
	}
	rc = engine_ignore_parse(out, text, path, err);
	free(text);
	free(path);
	if (rc)
		return rc;
	/* The docker CLI always sends these two, even when ignored. */
	if (engine_ignore_match(*out, ".dockerignore"))
		engine_ignore_add(*out, "!.dockerignore");
	if (dockerfile && engine_ignore_match(*out, dockerfile)) {
		char *keep = strf("!%s", dockerfile);

		engine_ignore_add(*out, keep);
		free(keep);
	}
	return 0;
}

static int write_context(struct ctx_writer *w,
			 const char *root,
			 const char *gen_name,
			 const char *text,
			 size_t len)
{
	int rc = walk(w, root, NULL);

	if (!rc && gen_name)
		rc = add_blob(w, gen_name, text, len);
	if (!rc && archive_write_close(w->ar) != ARCHIVE_OK)
		rc = ar_error(w, "close");
	return rc;
}

int engine_build_context(FILE *out,
			 const struct engine_context_spec *cs,
			 char **dockerfile_out,
			 struct diag *err)
{
	struct ctx_writer *w = xcalloc(1, sizeof(*w));
	char *root = compat_realpath(cs->dir), *in_ctx = NULL, *text = NULL;
	char *gen = NULL;
	struct engine_ignore *ig = NULL;
	size_t len = 0;
	struct stat st;
	int rc;

	*dockerfile_out = NULL;
	if (!root || stat(root, &st) || !S_ISDIR(st.st_mode)) {
		rc = diag_set(err, DIAG_EIO, NULL,
			      "build context '%s' is not a directory", cs->dir);
		goto out;
	}
	if ((rc = locate_dockerfile(cs, root, &in_ctx, &text, &len, err)))
		goto out;
	if (text) {
		/* As the docker CLI names a Dockerfile from outside. */
		char hex[SHA256_HEX_LEN + 1];

		sha256_hex(hex, text, len);
		gen = strf(".dockerfile.%.20s", hex);
	}
	if ((rc = load_ignore(&ig, root, in_ctx, err)))
		goto out;
	if ((rc = eng_archive_load(err)))
		goto out;
	w->ar = archive_write_new();
	w->ig = ig;
	w->skip = gen;
	w->err = err;
	archive_write_set_format_pax_restricted(w->ar);
	if (archive_write_open_FILE(w->ar, out) != ARCHIVE_OK)
		rc = ar_error(w, "open");
	else
		rc = write_context(w, root, gen, text, len);
	archive_write_free(w->ar);
	if (!rc) {
		*dockerfile_out = gen ? gen : in_ctx;
		if (gen)
			gen = NULL;
		else
			in_ctx = NULL;
	}
out:
	engine_ignore_free(ig);
	free(gen);
	free(in_ctx);
	free(text);
	free(root);
	free(w);
	return rc;
}
