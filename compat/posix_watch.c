/*
 * compat_watch_* on Linux: inotify (and compat_thread_*, pthreads).  inotify
 * watches one directory, not its tree, so each directory below a watched root
 * gets its own watch, and one made later is added when its IN_CREATE arrives
 * (the files already in it by then are reported, since their own events were
 * lost).
 */
#include "compat/compat.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

#define WATCH_MASK                                                             \
	(IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_DELETE |      \
	 IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)

struct wdir {
	int wd;
	char *path; /* the directory */
	char *only; /* a file root: the one name reported; else NULL */
	bool rec;   /* subdirectories are watched too */
};

struct compat_watch {
	int fd;
	struct wdir *d;
	size_t n, alloc;
};

static void why_set(char *why, size_t size, const char *what, const char *p)
{
	if (why && size)
		snprintf(why, size, "%s '%s': %s", what, p, strerror(errno));
}

struct compat_watch *compat_watch_new(char *why, size_t why_size)
{
	struct compat_watch *w;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0) {
		why_set(why, why_size, "inotify", "init");
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	return w;
}

static struct wdir *wdir_find(struct compat_watch *w, int wd)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->d[i].wd == wd)
			return &w->d[i];
	return NULL;
}

static int add_one(struct compat_watch *w,
		   const char *dir,
		   const char *only,
		   bool rec,
		   char *why,
		   size_t why_size)
{
	int wd = inotify_add_watch(w->fd, dir, WATCH_MASK | IN_ONLYDIR);
	struct wdir *d;

	if (wd < 0) {
		why_set(why, why_size, "cannot watch", dir);
		return -1;
	}
	d = wdir_find(w, wd);
	if (d) {
		/* Watched already: a directory root widens a file root. */
		if (!only) {
			free(d->only);
			d->only = NULL;
		}
		d->rec = d->rec || rec;
		return 0;
	}
	ALLOC_GROW(w->d, w->n + 1, w->alloc);
	w->d[w->n++] = (struct wdir){wd, xstrdup(dir),
				     only ? xstrdup(only) : NULL, rec};
	return 0;
}

static char *join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = xmalloc(a + b + 2);

	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

/*
 * Watches 'dir' and every directory below it; with 'fn', reports every
 * file found (a directory that appeared after its files were written).
 */
static int add_tree(struct compat_watch *w,
		    const char *dir,
		    compat_watch_fn *fn,
		    void *ud,
		    int *count)
{
	char **names = NULL;
	size_t n = 0;

	if (add_one(w, dir, NULL, true, NULL, 0) ||
	    compat_dir_list(&names, &n, dir))
		return -1;
	for (size_t i = 0; i < n; i++) {
		char *p = join(dir, names[i]);
		struct stat st;

		if (!lstat(p, &st) && S_ISDIR(st.st_mode))
			add_tree(w, p, fn, ud, count);
		else if (fn) {
			fn(ud, p);
			(*count)++;
		}
		free(p);
		free(names[i]);
	}
	free(names);
	return 0;
}

int compat_watch_add(struct compat_watch *w,
		     const char *path,
		     char *why,
		     size_t why_size)
{
	struct stat st;
	char *dir, *slash;
	int rc;

	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		int count = 0;

		if (add_tree(w, path, NULL, NULL, &count)) {
			why_set(why, why_size, "cannot watch", path);
			return -1;
		}
		return 0;
	}
	/* A file, or a path to come: its directory, reporting only it. */
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (!slash || !slash[1]) {
		free(dir);
		errno = EINVAL;
		why_set(why, why_size, "cannot watch", path);
		return -1;
	}
	*slash = 0;
	rc = add_one(w, *dir ? dir : "/", slash + 1, false, why, why_size);
	free(dir);
	return rc;
}

static void forget(struct compat_watch *w, int wd)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->d[i].wd == wd) {
			free(w->d[i].path);
			free(w->d[i].only);
			w->d[i] = w->d[--w->n];
			return;
		}
}

static int one_event(struct compat_watch *w,
		     const struct inotify_event *ev,
		     compat_watch_fn *fn,
		     void *ud)
{
	struct wdir *d = wdir_find(w, ev->wd);
	int count = 0;
	char *p;

	if (ev->mask & IN_IGNORED) {
		forget(w, ev->wd);
		return 0;
	}
	if (!d || !ev->len)
		return 0;
	if (d->only && strcmp(d->only, ev->name))
		return 0;
	p = join(d->path, ev->name);
	fn(ud, p);
	count++;
	if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
	    d->rec)
		add_tree(w, p, fn, ud, &count);
	free(p);
	return count;
}

int compat_watch_wait(struct compat_watch *w,
		      long timeout_ms,
		      compat_watch_fn *fn,
		      void *ud,
		      char *why,
		      size_t why_size)
{
	char buf[16384]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd pfd = {.fd = w->fd, .events = POLLIN};
	int count = 0, r = poll(&pfd, 1, timeout_ms < 0 ? -1 : (int)timeout_ms);

	if (r < 0 && errno == EINTR)
		return 0;
	if (r < 0) {
		why_set(why, why_size, "inotify", "poll");
		return -1;
	}
	for (;;) {
		ssize_t len = read(w->fd, buf, sizeof(buf));

		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			return count;
		if (len <= 0) {
			why_set(why, why_size, "inotify", "read");
			return -1;
		}
		for (ssize_t off = 0; off < len;) {
			const struct inotify_event *ev =
				(const struct inotify_event *)(buf + off);

			count += one_event(w, ev, fn, ud);
			off += (ssize_t)(sizeof(*ev) + ev->len);
		}
	}
}

void compat_watch_free(struct compat_watch *w)
{
	if (!w)
		return;
	close(w->fd);
	for (size_t i = 0; i < w->n; i++) {
		free(w->d[i].path);
		free(w->d[i].only);
	}
	free(w->d);
	free(w);
}

/* ---- Threads (here: watch is their only user) -----------------------------
 */

#include <pthread.h>

struct compat_thread {
	pthread_t t;
	void (*fn)(void *);
	void *arg;
};

static void *thread_main(void *p)
{
	struct compat_thread *t = p;

	t->fn(t->arg);
	return NULL;
}

struct compat_thread *compat_thread_start(void (*fn)(void *), void *arg)
{
	struct compat_thread *t = xcalloc(1, sizeof(*t));

	t->fn = fn;
	t->arg = arg;
	if (pthread_create(&t->t, NULL, thread_main, t)) {
		free(t);
		return NULL;
	}
	return t;
}

void compat_thread_join(struct compat_thread *t)
{
	if (!t)
		return;
	pthread_join(t->t, NULL);
	free(t);
}
