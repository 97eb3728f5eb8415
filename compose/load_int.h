#ifndef COMPOSE_LOAD_INT_H
#define COMPOSE_LOAD_INT_H

/*
 * Shared by compose/load.c, merge.c, extends.c, include.c, strmap.c and
 * the normalize_*.c files; no other module includes it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compose/compose.h"

struct sbuf;

/* ---- A string -> index hash map (malloc'ed, keys borrowed) ------------ */

struct compose_strmap_ent {
	const char *key;
	size_t val;
};

struct compose_strmap {
	struct compose_strmap_ent *ent;
	size_t cap; /* power of two */
	size_t n;
};

void compose_strmap_init(struct compose_strmap *m, size_t expect);
void compose_strmap_release(struct compose_strmap *m);
/* True and '*out' set if 'key' is present. */
bool compose_strmap_get(const struct compose_strmap *m,
			const char *key,
			size_t *out);
/* Adds or replaces. */
void compose_strmap_put(struct compose_strmap *m, const char *key, size_t val);

/* ---- Node helpers ----------------------------------------------------- */

/*
 * Makes room for one more pair or item of 'size' bytes in 'n' and returns
 * the (possibly moved) array, which the caller stores back.
 */
void *compose_node_grow(struct arena *a, struct compose_node *n, size_t size);
/* Appends a pair without looking for an existing key (caller knows). */
void compose_map_push(struct arena *a,
		      struct compose_node *map,
		      struct compose_node *key,
		      struct compose_node *value);
/* A plain (untyped-by-quotes) scalar: numbers, booleans and null. */
struct compose_node *
compose_node_plain(struct arena *a, const char *s, const struct diag_loc *loc);
/*
 * compose_map_get() comparing lengths first (hot in normalization);
 * MAP_GET takes a string literal.
 */
struct compose_node *
compose_map_getn(const struct compose_node *map, const char *key, size_t len);
#define MAP_GET(m, lit) compose_map_getn((m), lit, sizeof(lit) - 1)
/* A scalar's text, or NULL when 'n' is not a scalar. */
const char *compose_node_str(const struct compose_node *n);
bool compose_node_is_null(const struct compose_node *n);
bool compose_node_is_reset(const struct compose_node *n);

/* ---- Merging (compose v2 rules) -------------------------------------- */

/*
 * Merges document 'over' onto document 'base' (either may be NULL) and
 * returns the result.  Neither input is modified: containers that change
 * are copied, unchanged subtrees are shared.  '!reset' removes a key and
 * '!override' replaces instead of merging.
 */
struct compose_node *compose_merge_docs(struct arena *a,
					const struct compose_node *base,
					const struct compose_node *over);
/* Merges one service definition onto another (for extends). */
struct compose_node *compose_merge_service(struct arena *a,
					   const struct compose_node *base,
					   const struct compose_node *over);
/*
 * extra_hosts of a later file or service ('o') over an earlier one ('b'),
 * as compose-go: a list of "host=ip" strings, the earlier ones and then
 * those of 'o' not among them (compose/merge_hosts.c).
 */
struct compose_node *compose_merge_extra_hosts(struct arena *a,
					       const struct compose_node *b,
					       const struct compose_node *o);
/* Returns 'n' without '!reset' keys (a copy only if something goes). */
struct compose_node *compose_node_strip_reset(struct arena *a,
					      const struct compose_node *n);

/* "64m", "1g", "512kb", "1024" -> bytes; -1 when malformed. */
long long compose_bytes_parse(const char *s);

/* ---- Paths ------------------------------------------------------------ */

/* True for "/x", "C:\x", "C:/x" and "\\x". */
bool compose_path_is_abs(const char *p);
/* 'rel' made absolute against 'dir' (lexically cleaned), in 'a'. */
const char *
compose_path_join(struct arena *a, const char *dir, const char *rel);
/* The directory part of an absolute path, in 'a'. */
const char *compose_path_dir(struct arena *a, const char *path);
/* "~" and "~/x" against HOME from 'env'; other paths unchanged. */
const char *compose_path_expand_home(struct arena *a,
				     const char *p,
				     const struct compose_env *env);
/*
 * Rewrites the relative paths of one service (build context, env_file,
 * label_file, bind sources, extends.file) against 'dir'; returns a new node.
 */
struct compose_node *compose_service_rebase(struct arena *a,
					    const struct compose_node *svc,
					    const char *dir,
					    const struct compose_env *env);

/* ---- Loading one file --------------------------------------------- */

/* One parsed file: its documents that are not empty, interpolated. */
struct compose_file_docs {
	const char *path; /* absolute */
	struct compose_node **docs;
	size_t n;
	struct compose_node *merged; /* all of them merged; made on first use */
};

/* What extends and include need while one project loads. */
struct compose_loader {
	struct arena *a;
	struct compose_env *env;
	bool no_interpolate;
	/* Parsed files, by absolute path (for extends from another file). */
	struct compose_file_docs *files;
	size_t n_files, alloc_files;
	const char *cwd; /* for stdin's directory */
	bool saw_reset;	 /* some file's text has "!reset" */
	/* extends: an index of one services map (the file being resolved). */
	const struct compose_node *indexed;
	struct compose_strmap index;
	int depth; /* include nesting */
	/* The include chain: the including loader and the file being read. */
	const struct compose_loader *parent;
	const char *path;
	/* Where warnings go (multiple candidate files, ...). */
	struct diag_list *warnings;
};

/*
 * Reads, parses and interpolates one file; 'display' names it in
 * locations.  Each document's root must be a map; a file of several
 * documents gives them merged in order.  Cached by 'abspath'.
 */
int compose_loader_read(struct compose_node **out,
			struct compose_loader *l,
			const char *abspath,
			const char *display,
			struct diag *err);
/* Resolves every service's `extends` in 'doc' (file 'abspath'). */
int compose_extends_apply(struct compose_node **doc,
			  struct compose_loader *l,
			  const char *abspath,
			  struct diag *err);
/*
 * Loads the top-level `include` of 'doc' (file in 'dir') and returns the
 * document with the included resources merged in; conflicts are errors.
 */
int compose_include_apply(struct compose_node **doc,
			  struct compose_loader *l,
			  const char *dir,
			  struct diag *err);
/*
 * Full processing of one file: read, include, extends, and the result
 * merged onto 'base' (NULL for the first file), which '*out' gets.  As
 * compose-go does, each document of a multi-document file goes through
 * include and extends on its own and is merged as one more -f file.
 */
int compose_loader_file(struct compose_node **out,
			struct compose_loader *l,
			struct compose_node *base,
			const char *abspath,
			const char *display,
			struct diag *err);

/*
 * compose_yaml_parse() for every document of the stream, in one pass:
 * '*out' gets one root per document (NULL for an empty one), '*n' their
 * number.  Anchors stay inside their document; the node budget counts
 * all documents together.  '*out' is allocated in 'a'.
 */
int compose_yaml_parse_docs(struct compose_node ***out,
			    size_t *n,
			    struct arena *a,
			    const char *file,
			    const char *buf,
			    size_t len,
			    const struct compose_yaml_limits *limits,
			    struct diag *err);

/* ---- env files ---------------------------------------------------------- */

/*
 * An env_file with `format: raw` (compose/dotenv_raw.c): the rules of
 * `docker run --env-file`, which the docker compose CLI registers for it.
 * Each line is KEY=VALUE with the value taken as written (no quotes,
 * escapes, comments or interpolation); a bare KEY takes its value from
 * 'lookup' and is left out when unset.  Blank lines and lines starting
 * with '#' are skipped.  Errors (DIAG_ESYNTAX) carry the file and line.
 */
int compose_dotenv_parse_raw(struct compose_env *out,
			     const char *file,
			     const char *buf,
			     size_t len,
			     const struct compose_env *lookup,
			     struct diag *err);
/*
 * Reads 'f' to its end into 'sb': DIAG_ELIMIT past COMPOSE_FILE_MAX,
 * DIAG_EIO on a read error ('display' names the file in both).
 */
int compose_read_bounded(struct sbuf *sb,
			 FILE *f,
			 const char *display,
			 struct diag *err);

/* compose_dotenv_load(), or the raw format when 'raw'. */
int compose_dotenv_load_fmt(struct compose_env *out,
			    const char *path,
			    const struct compose_env *lookup,
			    bool raw,
			    struct diag *err);

/* ---- Shared parsers (normalize and merge keys) ------------------------- */

/*
 * Parses a short port spec into one or more ports (ranges expand).
 * Returns the count (0 on error); '*out' in 'a'.
 */
size_t compose_port_parse(struct compose_port **out,
			  struct arena *a,
			  const char *spec);
/*
 * Splits a short volume spec "[src:]dst[:mode]" the way compose-go does,
 * keeping Windows drive letters ("C:\\x") and named pipes whole.  '*src'
 * and '*mode' are NULL when absent.  Returns 0, or -1 when malformed.
 */
int compose_volume_split(struct arena *a,
			 const char *spec,
			 const char **src,
			 const char **dst,
			 const char **mode);
/* The target of a short volume spec ("src:dst:mode"), or NULL. */
const char *compose_volume_short_target(struct arena *a, const char *spec);
/*
 * Removes the repeated items of the service lists that compose-go makes
 * unique (ports, volumes, secrets, dns, ...) in the merged document.
 */
void compose_doc_unique(struct arena *a, struct compose_node *doc);

/*
 * The members of map 'm' as compose_node_emit_json() writes them, without
 * the braces: each at 'at' spaces after a line break, the first without
 * one, separated by commas.
 */
void compose_node_emit_json_members(struct sbuf *out,
				    const struct compose_node *m,
				    int at);

#endif
