#!/usr/bin/env bash
# The Swarm deployment of issue 11, for real: two dockerd in two network
# namespaces (lab/hosts.sh) form a swarm, manager "a" labelled os=linux and
# worker "b" labelled os=windows.  The mixed lab sample is translated by
# `mixcompose translate --to swarm --os-label --endpoint-mode dnsrr` and
# deployed with docker's own `docker stack deploy`: each service must run on
# the daemon of its OS label, NGINX on "a" must serve the web app's page
# from "b" by service name over the overlay, and `docker stack rm` plus
# `lab/hosts.sh down` must leave nothing behind.  Traffic goes only to the
# namespaces' own addresses.
# usage: tests/swarm/test_swarm.sh [BUILD_DIR]      (root; ctest -L swarm)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
hosts=$top/lab/hosts.sh
stack=mixswarm-$$
work=$(mktemp -d)
pass=0 fail=0

ok() { echo "ok - $*"; pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }
check() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

cleanup() {
	local rc=$?
	"$hosts" down >/dev/null 2>&1 || rc=1
	rm -rf "$work"
	# Nothing of the two hosts may be left.
	if ! "$hosts" left; then
		echo "not ok - lab/hosts.sh down left something behind"
		rc=1
	fi
	exit "$rc"
}
trap cleanup EXIT

eval "$("$hosts" env)"
A="docker -H unix://$HOSTS_A_SOCK"
B="docker -H unix://$HOSTS_B_SOCK"
"$hosts" down >/dev/null 2>&1 || true
"$hosts" up
"$hosts" swarm-up

# The stack file, and its notes: the host IP and the ingress mode of
# nginx's port are reported, not dropped.
"$build/mixcompose" -f "$top/samples/lab/compose.yaml" translate --to swarm \
	--os-label --endpoint-mode dnsrr -o "$work/stack.yaml" 2>"$work/notes"
check "translate notes the host IP it cannot carry" \
	grep -q "services.nginx.ports\[0\]: not carried over to swarm: host IP '127.0.0.1'" "$work/notes"
check "the stack places by the os label" \
	grep -q 'node.labels.os == windows' "$work/stack.yaml"

$A stack deploy --resolve-image never -c "$work/stack.yaml" "$stack" >/dev/null 2>&1

# Each service's task runs on the daemon of its OS label.
running() { # DOCKER SERVICE
	[ -n "$($1 ps -q --filter "label=com.docker.swarm.service.name=${stack}_$2" \
		--filter status=running)" ]
}
page=
for ((i = 0; i < 120; i++)); do
	page=$(nsenter --net="$HOSTS_A_NETNS" curl -s --max-time 3 \
		"http://$HOSTS_A_ADDR:8080/" 2>/dev/null || true)
	case $page in *"service: web"*) break ;; esac
	sleep 1
done
check "web (os=windows) runs on host b" running "$B" web
check "web does not run on host a" eval "! running \"\$A\" web"
check "nginx (os=linux) runs on host a" running "$A" nginx
check "nginx does not run on host b" eval "! running \"\$B\" nginx"
check "nginx on host a serves web's page from host b by service name" \
	grep -q '^service: web$' <<<"$page"
check "the page says the platform the compose file gave web" \
	grep -q '^platform: windows/amd64$' <<<"$page"

# Removal leaves no service, task, config or network of the stack.
$A stack rm "$stack" >/dev/null
for ((i = 0; i < 60; i++)); do
	[ -z "$($A ps -aq --filter "label=com.docker.stack.namespace=$stack")$($B ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] &&
		[ -z "$($A network ls -q --filter "label=com.docker.stack.namespace=$stack")" ] && break
	sleep 1
done
check "stack rm: no service left" test -z "$($A service ls -q)"
check "stack rm: no config left" test -z "$($A config ls -q)"
check "stack rm: no container left on a" test -z "$($A ps -aq --filter "label=com.docker.stack.namespace=$stack")"
check "stack rm: no container left on b" test -z "$($B ps -aq --filter "label=com.docker.stack.namespace=$stack")"
check "stack rm: no stack network left" test -z "$($A network ls -q --filter "label=com.docker.stack.namespace=$stack")"

echo "swarm: $pass passed, $fail failed"
[ "$fail" = 0 ]
