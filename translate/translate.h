#ifndef TRANSLATE_TRANSLATE_H
#define TRANSLATE_TRANSLATE_H

/*
 * translate/: a pure function from the typed compose model to the
 * documents of an orchestrator: a Docker Swarm stack file, or Kubernetes
 * manifests.  No I/O: files that must be embedded (configs, secrets, a
 * read-only bind of a file) are read through the caller's callback, and
 * nothing is printed.  The documents are compose node trees, written with
 * compose/'s YAML writer (translate_emit).
 *
 * OS placement.  A service's OS is the OS of the daemon that the planner
 * routes it to (its platform, its x-mixcompose.daemon pin, or
 * DOCKER_DEFAULT_PLATFORM), so that `up` and the orchestrator agree:
 *	swarm:       deploy.placement.constraints  node.platform.os == windows
 *	             (or node.labels.<os_label> == windows)
 *	kubernetes:  spec.os.name, nodeSelector kubernetes.io/os, and a
 *	             toleration of the os=windows:NoSchedule taint
 *
 * Nothing is dropped silently: every key (or part of a value) that the
 * target cannot carry gives a WARNING in the caller's list, at the key's
 * file:line:col, with its key path and the reason.
 *
 * Ownership: the documents live in the arena 'a' the caller gives; they
 * borrow strings of the project, which must outlive them.
 */

#include <stdbool.h>
#include <stddef.h>

#include "compose/compose.h"
#include "util/diag.h"
#include "util/sbuf.h"

struct arena;

enum translate_target {
	TRANSLATE_SWARM,
	TRANSLATE_KUBERNETES,
};

/*
 * Reads a whole file for embedding: returns its bytes (in 'a', NUL
 * terminated, '*len' set), or NULL when it cannot be read or is not a
 * regular file.
 */
typedef const char *(*translate_read_fn)(void *userdata,
					  struct arena *a,
					  const char *path,
					  size_t *len);

struct translate_options {
	enum translate_target target;
	/*
	 * Swarm: place by a node label instead of the node's OS, e.g. "os"
	 * gives node.labels.os == windows (for nodes whose real OS is not
	 * the one they stand in for, as in the lab).  NULL: node.platform.os.
	 */
	const char *os_label;
	/* Swarm: "vip" (Swarm's default) or "dnsrr"; NULL: leave it out. */
	const char *endpoint_mode;
	/* Kubernetes: metadata.namespace of every object, or NULL. */
	const char *k8s_namespace;
	/* DOCKER_DEFAULT_PLATFORM, or NULL. */
	const char *default_platform;
	translate_read_fn read_file; /* NULL: nothing is embedded */
	void *userdata;
};

/* The documents: one for Swarm, one per object for Kubernetes. */
struct translate_docs {
	struct compose_node **v;
	size_t n;
};

/*
 * Translates 'p' (loaded and normalized).  Returns 0 and fills '*out', or
 * a negative diag code with 'err' set (DIAG_EPLAN when a service cannot
 * be routed, DIAG_EUSAGE for bad options).  What cannot be carried over
 * goes into 'notes' as warnings, sorted by position.
 */
int translate_project(struct translate_docs *out,
		      struct arena *a,
		      const struct compose_project *p,
		      const struct translate_options *o,
		      struct diag_list *notes,
		      struct diag *err);

/* Appends the documents as YAML, "---" between two of them. */
void translate_emit(struct sbuf *out, const struct translate_docs *docs);

/* "swarm" / "kubernetes" -> target; -1 for anything else. */
int translate_target_parse(const char *s);

#endif
