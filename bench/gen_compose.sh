#!/usr/bin/env bash
# Writes a compose file of N services to stdout: each with an image, a
# command, 5 environment variables, 2 ports, depends_on the previous
# service, labels and a healthcheck (the workload of issue 2's benchmark).
set -euo pipefail
n=${1:?usage: gen_compose.sh N}
awk -v n="$n" 'BEGIN {
	print "services:"
	for (i = 0; i < n; i++) {
		printf "  svc%d:\n", i
		printf "    image: local/busybox:lab\n"
		printf "    command: [\"sh\", \"-c\", \"echo svc%d && sleep 3600\"]\n", i
		printf "    environment:\n"
		for (j = 0; j < 5; j++)
			printf "      VAR_%d: \"value-%d-%d\"\n", j, i, j
		printf "    ports:\n"
		printf "      - \"%d:80\"\n", 10000 + i
		printf "      - \"127.0.0.1:%d:443/tcp\"\n", 20000 + i
		if (i > 0) {
			printf "    depends_on:\n"
			printf "      - svc%d\n", i - 1
		}
		printf "    labels:\n"
		printf "      com.example.tier: \"bench\"\n"
		printf "      com.example.index: \"%d\"\n", i
		printf "    healthcheck:\n"
		printf "      test: [\"CMD-SHELL\", \"true\"]\n"
		printf "      interval: 1m30s\n"
		printf "      timeout: 10s\n"
		printf "      retries: 3\n"
	}
}'
