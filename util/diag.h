#ifndef UTIL_DIAG_H
#define UTIL_DIAG_H

#include <stdarg.h>
#include <stddef.h>

#include "util/sbuf.h"

/*
 * Where a thing came from: a file and a 1-based line and column.  'file'
 * is borrowed (it lives in the project's arena or is static); a zero line
 * means "no position", and only the file is shown.
 */
struct diag_loc {
	const char *file;
	int line;
	int col;
};

/* Failure codes: functions return 0 or one of these (negative). */
enum diag_code {
	DIAG_OK = 0,
	DIAG_EIO = -1,	      /* a file or stream could not be read */
	DIAG_ESYNTAX = -2,    /* YAML, dotenv or JSON syntax */
	DIAG_EINTERP = -3,    /* variable interpolation */
	DIAG_ESCHEMA = -4,    /* the document does not match the schema */
	DIAG_EMODEL = -5,     /* a value is well-formed but wrong */
	DIAG_EPLAN = -6,      /* the project cannot be planned */
	DIAG_EENGINE = -7,    /* a daemon said no */
	DIAG_ETRANSPORT = -8, /* a daemon could not be reached */
	DIAG_EUSAGE = -9,     /* bad command-line arguments */
	DIAG_ELIMIT = -10,    /* a size or expansion limit was hit */
	DIAG_EINTR = -11,     /* interrupted by the user */
	DIAG_ENOTFOUND = -12, /* a named object does not exist */
	DIAG_ECONFLICT = -13  /* a removal refused: the object is in use */
};

#define DIAG_MSG_MAX 2048

/*
 * One error: the code, the place, and a message formatted as the style
 * guide asks ("services.web.ports[1]: '80800' is not a valid port").
 * The location is copied; its file pointer is borrowed.
 */
struct diag {
	int code;
	struct diag_loc loc;
	char msg[DIAG_MSG_MAX];
};

/* Fills 'err' (if not NULL) and returns 'code', for "return diag_set(...)". */
int diag_set(struct diag *err,
	     int code,
	     const struct diag_loc *loc,
	     const char *fmt,
	     ...) __attribute__((format(printf, 4, 5)));
int diag_vset(struct diag *err,
	      int code,
	      const struct diag_loc *loc,
	      const char *fmt,
	      va_list ap) __attribute__((format(printf, 4, 0)));
/* Prepends "prefix: " to an existing message. */
void diag_prefix(struct diag *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends "file:line:col: msg" (or "file: msg", or just "msg"). */
void diag_format(struct sbuf *out, const struct diag *d);

enum diag_severity {
	DIAG_ERROR,
	DIAG_WARNING,
};

struct diag_item {
	enum diag_severity severity;
	struct diag d;
};

/* A list of problems, so that validation can report them all at once. */
struct diag_list {
	struct diag_item *items;
	size_t nr;
	size_t alloc;
	size_t errors;
	size_t warnings;
};

#define DIAG_LIST_INIT                                                         \
	{                                                                      \
		NULL, 0, 0, 0, 0                                               \
	}

void diag_list_add(struct diag_list *l,
		   enum diag_severity sev,
		   int code,
		   const struct diag_loc *loc,
		   const char *fmt,
		   ...) __attribute__((format(printf, 5, 6)));
void diag_list_add_diag(struct diag_list *l,
			enum diag_severity sev,
			const struct diag *d);
/* Sorts by file, line, column so output reads top to bottom. */
void diag_list_sort(struct diag_list *l);
void diag_list_release(struct diag_list *l);

#endif
