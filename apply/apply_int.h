#ifndef APPLY_APPLY_INT_H
#define APPLY_APPLY_INT_H

/* Shared by the files of apply/ only. */

#include "apply/apply.h"

struct engine_container_spec;

/*
 * The fields of compose_keys[] (compose/keys.c) that service 's' sets,
 * appended to sp->fields in the table's order (everything in 'a').
 */
void apply_spec_keys(struct engine_container_spec *sp,
		     struct arena *a,
		     const struct compose_service *s);

/*
 * Service 's''s external_links as "NAME:ALIAS" (compose v2's getLinks),
 * in 'a'; empty when it sets none.
 */
struct engine_strv apply_key_links(struct arena *a,
				   const struct compose_service *s);

#endif
