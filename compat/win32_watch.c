/*
 * compat_watch_* on Windows: ReadDirectoryChangesW on each root directory
 * (the whole tree, bWatchSubtree), overlapped, so that one wait covers
 * every root.  A file root watches its directory without the tree and
 * reports only that file.  Paths are UTF-8 (the process runs in the UTF-8
 * code page, compat_init), joined with '\\'.
 */
#define WIN32_LEAN_AND_MEAN
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif
#include "compat/compat.h"

#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/xalloc.h"

#define WATCH_FILTER                                                           \
	(FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME |          \
	 FILE_NOTIFY_CHANGE_ATTRIBUTES | FILE_NOTIFY_CHANGE_SIZE |             \
	 FILE_NOTIFY_CHANGE_LAST_WRITE | FILE_NOTIFY_CHANGE_CREATION)

#define WATCH_MAX 64 /* WaitForMultipleObjects' limit */

struct wroot {
	HANDLE dir;
	OVERLAPPED ov;
	char *path; /* the directory */
	char *only; /* a file root: the one name reported; else NULL */
	DWORD buf[16384];
};

struct compat_watch {
	struct wroot *r[WATCH_MAX];
	size_t n;
};

static void why_win(char *why, size_t size, const char *what, const char *p)
{
	if (why && size)
		snprintf(why, size, "%s '%s': error %lu", what, p,
			 (unsigned long)GetLastError());
}

struct compat_watch *compat_watch_new(char *why, size_t why_size)
{
	(void)why;
	(void)why_size;
	return xcalloc(1, sizeof(struct compat_watch));
}

static int arm(struct wroot *r)
{
	ResetEvent(r->ov.hEvent);
	return ReadDirectoryChangesW(r->dir, r->buf, sizeof(r->buf),
				     r->only == NULL, WATCH_FILTER, NULL,
				     &r->ov, NULL)
		       ? 0
		       : -1;
}

static void root_free(struct wroot *r)
{
	if (!r)
		return;
	if (r->dir != INVALID_HANDLE_VALUE) {
		CancelIo(r->dir);
		CloseHandle(r->dir);
	}
	if (r->ov.hEvent)
		CloseHandle(r->ov.hEvent);
	free(r->path);
	free(r->only);
	free(r);
}

int compat_watch_add(struct compat_watch *w,
		     const char *path,
		     char *why,
		     size_t why_size)
{
	struct stat st;
	struct wroot *r;
	wchar_t wpath[MAX_PATH * 4];
	char *dir = xstrdup(path), *cut;

	if (w->n == WATCH_MAX) {
		snprintf(why, why_size, "cannot watch '%s': more than %d paths",
			 path, WATCH_MAX);
		free(dir);
		return -1;
	}
	r = xcalloc(1, sizeof(*r));
	r->dir = INVALID_HANDLE_VALUE;
	if (stat(path, &st) || !(st.st_mode & S_IFDIR)) {
		cut = strrchr(dir, '\\');
		if (!cut || (strrchr(dir, '/') && strrchr(dir, '/') > cut))
			cut = strrchr(dir, '/');
		if (!cut) {
			snprintf(why, why_size, "cannot watch '%s'", path);
			free(dir);
			free(r);
			return -1;
		}
		*cut = 0;
		r->only = xstrdup(cut + 1);
	}
	r->path = dir;
	if (!MultiByteToWideChar(CP_UTF8, 0, dir, -1, wpath,
				 (int)(sizeof(wpath) / sizeof(*wpath))))
		goto fail;
	r->dir = CreateFileW(
		wpath, FILE_LIST_DIRECTORY,
		FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
		OPEN_EXISTING,
		FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, NULL);
	r->ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (r->dir == INVALID_HANDLE_VALUE || !r->ov.hEvent || arm(r))
		goto fail;
	w->r[w->n++] = r;
	return 0;
fail:
	why_win(why, why_size, "cannot watch", path);
	root_free(r);
	return -1;
}

/* Reports the changes of one root that signalled; re-arms it. */
static int drain(struct wroot *r, compat_watch_fn *fn, void *ud)
{
	DWORD got = 0;
	const char *p = (const char *)r->buf;
	int count = 0;

	if (!GetOverlappedResult(r->dir, &r->ov, &got, FALSE))
		return -1;
	while (got) {
		const FILE_NOTIFY_INFORMATION *fi =
			(const FILE_NOTIFY_INFORMATION *)p;
		char name[MAX_PATH * 4];
		int len = WideCharToMultiByte(
			CP_UTF8, 0, fi->FileName,
			(int)(fi->FileNameLength / sizeof(WCHAR)), name,
			(int)sizeof(name) - 1, NULL, NULL);

		name[len > 0 ? len : 0] = 0;
		if (len > 0 && (!r->only || !strcmp(r->only, name))) {
			size_t a = strlen(r->path);
			char *full = xmalloc(a + (size_t)len + 2);

			memcpy(full, r->path, a);
			full[a] = '\\';
			memcpy(full + a + 1, name, (size_t)len + 1);
			fn(ud, full);
			free(full);
			count++;
		}
		if (!fi->NextEntryOffset)
			break;
		p += fi->NextEntryOffset;
	}
	return arm(r) ? -1 : count;
}

int compat_watch_wait(struct compat_watch *w,
		      long timeout_ms,
		      compat_watch_fn *fn,
		      void *ud,
		      char *why,
		      size_t why_size)
{
	HANDLE ev[WATCH_MAX];
	DWORD r;
	int count = 0;

	if (!w->n) {
		Sleep(timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms);
		return 0;
	}
	for (size_t i = 0; i < w->n; i++)
		ev[i] = w->r[i]->ov.hEvent;
	r = WaitForMultipleObjects((DWORD)w->n, ev, FALSE,
				   timeout_ms < 0 ? INFINITE
						  : (DWORD)timeout_ms);
	if (r == WAIT_TIMEOUT)
		return 0;
	if (r >= WAIT_OBJECT_0 + w->n) {
		why_win(why, why_size, "watch", "wait");
		return -1;
	}
	/* Every root that signalled, not only the first. */
	for (size_t i = 0; i < w->n; i++) {
		int c;

		if (WaitForSingleObject(ev[i], 0) != WAIT_OBJECT_0)
			continue;
		if ((c = drain(w->r[i], fn, ud)) < 0) {
			why_win(why, why_size, "watch", w->r[i]->path);
			return -1;
		}
		count += c;
	}
	return count;
}

void compat_watch_free(struct compat_watch *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		root_free(w->r[i]);
	free(w);
}

/* ---- Threads (here: watch is their only user) -----------------------------
 */

struct compat_thread {
	HANDLE h;
	void (*fn)(void *);
	void *arg;
};

static DWORD WINAPI thread_main(LPVOID p)
{
	struct compat_thread *t = p;

	t->fn(t->arg);
	return 0;
}

struct compat_thread *compat_thread_start(void (*fn)(void *), void *arg)
{
	struct compat_thread *t = xcalloc(1, sizeof(*t));

	t->fn = fn;
	t->arg = arg;
	t->h = CreateThread(NULL, 0, thread_main, t, 0, NULL);
	if (!t->h) {
		free(t);
		return NULL;
	}
	return t;
}

void compat_thread_join(struct compat_thread *t)
{
	if (!t)
		return;
	WaitForSingleObject(t->h, INFINITE);
	CloseHandle(t->h);
	free(t);
}
