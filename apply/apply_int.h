#ifndef APPLY_APPLY_INT_H
#define APPLY_APPLY_INT_H

/* Shared by the files of apply/ only. */

#include "apply/apply.h"

struct engine_container_spec;
struct engine_endpoint;
struct engine_file;
struct plan_host;
struct engine_mount;
struct engine_network_spec;
struct plan_network;

/*
 * The fields of compose_keys[] (compose/keys.c) that service 's' sets,
 * appended to sp->fields in the table's order (everything in 'a'); on a
 * daemon 'h' older than API 1.44, the main endpoint's MAC address is the
 * container's (compose v2), so call it after the endpoints are set.
 */
void apply_spec_keys(struct engine_container_spec *sp,
		     struct arena *a,
		     const struct plan_host *h,
		     const struct compose_service *s);

/*
 * Service 's''s external_links as "NAME:ALIAS" (compose v2's getLinks),
 * in 'a'; empty when it sets none.
 */
struct engine_strv apply_key_links(struct arena *a,
				   const struct compose_service *s);

/*
 * An endpoint's settings from the service's entry 'n' for that network
 * (link_local_ips, driver_opts with interface_name, gw_priority); 'n'
 * NULL: none.  In 'a'.
 */
void apply_endpoint_keys(struct engine_endpoint *ep,
			 struct arena *a,
			 const struct compose_service_network *n);

/*
 * A network's IPAM options, aux_addresses and enable_ipv4 from the file
 * into 'ns' (its IPAM config already made).  In 'a'.
 */
void apply_network_keys(struct engine_network_spec *ns,
			struct arena *a,
			const struct plan_network *pn);

/*
 * A mount's bind.recursive, volume.labels and image.subpath from the
 * service's entry 'cm' (compose v2's buildMountOptions).  In 'a'.
 */
void apply_mount_keys(struct engine_mount *m,
		      struct arena *a,
		      const struct compose_mount *cm);

/*
 * use_api_socket, as compose v2's useAPISocket: the daemon's socket bound
 * at /var/run/docker.sock (the unix socket mixcompose reaches host 'h'
 * by, else /var/run/docker.sock on its host), and DOCKER_CONFIG set to
 * /run/secrets/docker unless the service sets it.  In 'a'.
 */
void apply_api_socket(struct engine_container_spec *sp,
		      struct arena *a,
		      const struct plan_host *h,
		      const struct compose_service *s);
/*
 * The file use_api_socket copies in: /run/secrets/docker/config.json
 * with the client's registry credentials (the "auths" of its
 * DOCKER_CONFIG or ~/.docker config.json), mode 0444.  In 'a'.
 */
int apply_api_socket_file(struct engine_file *f,
			  struct arena *a,
			  struct diag *err);

#endif
