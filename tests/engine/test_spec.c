#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

static char *spec_json(const struct engine_container_spec *s)
{
	char *j = engine_container_spec_json(s);

	cr_assert_not_null(j);
	return j;
}

Test(engine_spec, minimal_spec_leaves_unset_fields_out)
{
	struct engine_container_spec s = {
		.image = "busybox", .stop_timeout = -1, .init = -1};
	char *j = spec_json(&s);

	cr_assert_str_eq(j, "{\"Image\":\"busybox\",\"HostConfig\":{}}");
	free(j);
}

Test(engine_spec, empty_cmd_differs_from_unset)
{
	static const char *none[] = {NULL};
	struct engine_container_spec s = {
		.image = "x", .stop_timeout = -1, .init = -1, .cmd = {none, 0}};
	char *j = spec_json(&s);

	cr_assert(strstr(j, "\"Cmd\":[]"), "%s", j);
	cr_assert_null(strstr(j, "Entrypoint"), "%s", j);
	free(j);
}

Test(engine_spec, port_bindings_are_exposed_too)
{
	struct engine_port_binding ports[] = {
		{80, NULL, NULL, "8080"},
		{53, "udp", "127.0.0.1", NULL},
	};
	struct engine_container_spec s = {.image = "x",
					  .stop_timeout = -1,
					  .init = -1,
					  .ports = ports,
					  .n_ports = 2};
	char *j = spec_json(&s);

	cr_assert(strstr(j, "\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}}"),
		  "%s", j);
	cr_assert(strstr(j, "\"PortBindings\":{\"80/"
			    "tcp\":[{\"HostIp\":\"\",\"HostPort\":"
			    "\"8080\"}],\"53/udp\":[{\"HostIp\":\"127.0.0.1\","
			    "\"HostPort\":\"\"}]}"),
		  "%s", j);
	free(j);
}

Test(engine_spec, healthcheck_and_stop_settings)
{
	static const char *test[] = {"CMD-SHELL", "nc -z localhost 80"};
	struct engine_container_spec s = {
		.image = "x",
		.stop_timeout = 5,
		.init = 1,
		.stop_signal = "SIGINT",
		.healthcheck = {.test = {test, 2},
				.interval_ns = 1000000000LL,
				.retries = 3},
	};
	char *j = spec_json(&s);

	cr_assert(strstr(j, "\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"nc -z "
			    "localhost 80\"],"
			    "\"Interval\":1000000000,\"Retries\":3}"),
		  "%s", j);
	cr_assert(strstr(j, "\"StopTimeout\":5"), "%s", j);
	cr_assert(strstr(j, "\"StopSignal\":\"SIGINT\""), "%s", j);
	cr_assert(strstr(j, "\"Init\":true"), "%s", j);
	free(j);
}

Test(engine_spec, mounts_hosts_and_endpoint)
{
	static const char *aliases[] = {"web", "www"};
	static const char *hosts[] = {"api:172.31.2.5"};
	struct engine_mount mounts[] = {
		{.type = ENGINE_MOUNT_VOLUME,
		 .source = "data",
		 .target = "/data"},
		{.type = ENGINE_MOUNT_TMPFS,
		 .target = "/tmp",
		 .tmpfs_size = 1024},
		{.type = ENGINE_MOUNT_NPIPE,
		 .source = "\\\\.\\pipe\\docker_engine",
		 .target = "\\\\.\\pipe\\docker_engine",
		 .read_only = true},
	};
	struct engine_endpoint ep = {.network = "proj_default",
				     .aliases = {aliases, 2},
				     .ipv4_address = "172.31.1.10"};
	struct engine_container_spec s = {
		.image = "x",
		.stop_timeout = -1,
		.init = -1,
		.mounts = mounts,
		.n_mounts = 3,
		.extra_hosts = {hosts, 1},
		.endpoints = &ep,
		.n_endpoints = 1,
		.isolation = "hyperv",
		.restart_policy = "always",
	};
	char *j = spec_json(&s);

	cr_assert(strstr(j, "{\"Type\":\"volume\",\"Source\":\"data\","
			    "\"Target\":\"/data\"}"),
		  "%s", j);
	cr_assert(strstr(j, "\"TmpfsOptions\":{\"SizeBytes\":1024}"), "%s", j);
	cr_assert(strstr(j, "\"Type\":\"npipe\""), "%s", j);
	cr_assert(strstr(j, "\"ReadOnly\":true"), "%s", j);
	cr_assert(strstr(j, "\"ExtraHosts\":[\"api:172.31.2.5\"]"), "%s", j);
	cr_assert(strstr(j, "\"Isolation\":\"hyperv\""), "%s", j);
	cr_assert(strstr(j, "\"RestartPolicy\":{\"Name\":\"always\"}"), "%s",
		  j);
	cr_assert(strstr(j, "\"NetworkingConfig\":{\"EndpointsConfig\":{\"proj_"
			    "default\":"
			    "{\"Aliases\":[\"web\",\"www\"],\"IPAMConfig\":"
			    "{\"IPv4Address\":\"172.31.1.10\"}}}}"),
		  "%s", j);
	free(j);
}

Test(engine_spec, init_leaves_stop_timeout_and_init_out)
{
	struct engine_container_spec s;
	char *j;

	engine_container_spec_init(&s);
	s.image = "x";
	j = spec_json(&s);
	cr_assert_null(strstr(j, "StopTimeout"), "%s", j);
	cr_assert_null(strstr(j, "Init"), "%s", j);
	free(j);
}
