#!/usr/bin/env bash
# Compose v2 as a differential oracle for the containers (issue #9, item
# 5): tests/fixtures/v2diff/every_linux_key.yaml (every service key that
# a Linux daemon takes without special hardware) is brought up by compose
# v2 and by mixcompose on the lab's linux daemon, each under a project
# name of its own, and the two containers' HostConfig and Config must be
# equal after the normalisation below (only what the README lists as
# intentional).  Everything both made is removed again, whatever happens.
# Needs the lab (lab/mixlab up).  Exit 1 on any difference.
#
#   bash scripts/v2-inspect.sh [BUILD_DIR]      (default: build)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
mc=$build/mixcompose
v2=$(bash "$top/scripts/compose-v2.sh")
sock=/run/mixlab/linux.sock
[ -S "$sock" ] || { echo "v2-inspect: no lab linux daemon at $sock (lab/mixlab up)" >&2; exit 1; }
fixture=$top/tests/fixtures/v2diff/every_linux_key.yaml
pv2=v2inspect-v2-$$
pmc=v2inspect-mc-$$
tmp=$(mktemp -d)
export DOCKER_HOST=unix://$sock
daemons=(env -u COMPOSE_FILE -u COMPOSE_PROJECT_NAME -u COMPOSE_PROFILES
	-u MIXCOMPOSE_DAEMON_WINDOWS MIXCOMPOSE_DAEMON_LINUX="unix://$sock,os=linux")

cleanup() {
	"$v2" -f "$fixture" -p "$pv2" down -v -t 0 >/dev/null 2>&1 || true
	"${daemons[@]}" "$mc" -f "$fixture" -p "$pmc" down -v -t 0 >/dev/null 2>&1 || true
	for p in "$pv2" "$pmc"; do
		docker ps -aq --filter "label=com.docker.compose.project=$p" | xargs -r docker rm -f >/dev/null
		docker network ls -q --filter "label=com.docker.compose.project=$p" | xargs -r docker network rm >/dev/null
		docker volume ls -q --filter "label=com.docker.compose.project=$p" | xargs -r docker volume rm >/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# Created, not started: what is compared is what each one asked for.
"$v2" -f "$fixture" -p "$pv2" create --pull never >"$tmp/v2.out" 2>&1 ||
	{ cat "$tmp/v2.out"; exit 1; }
"${daemons[@]}" "$mc" -f "$fixture" -p "$pmc" create >"$tmp/mc.out" 2>&1 ||
	{ cat "$tmp/mc.out"; exit 1; }

# What may differ (README, "Compose v2 as an oracle"): the project name
# wherever it appears; the compose labels (each tool writes its own, e.g.
# its version and config hash); Attach* (compose v2 sets them even for a
# detached container); an exposed port without a protocol (compose v2
# sends "81", mixcompose "81/tcp" as `docker run --expose` does); null and
# {} PortBindings, and an empty VolumeOptions and none; and the order of
# Ulimits and of Mounts (compose v2 takes both from a Go map, in random
# order: buildContainerMountOptions ranges over a map keyed on the target).
norm='.[0] | {HostConfig, Config}
| .Config |= (del(.Labels, .AttachStdout, .AttachStderr, .AttachStdin)
	| .ExposedPorts |= (if . then with_entries(.key |= (if test("/") then . else . + "/tcp" end)) else . end))
| .HostConfig.PortBindings |= (. // {})
| .HostConfig.Mounts |= (if . then map(if .VolumeOptions == {} then del(.VolumeOptions) else . end) | sort_by(.Target) else . end)
| .HostConfig.Ulimits |= (if . then sort_by(.Name) else . end)'
docker inspect "$pv2-all-1" | sed "s/$pv2/PROJECT/g" | jq -S "$norm" >"$tmp/v2.json"
docker inspect "$pmc-all-1" | sed "s/$pmc/PROJECT/g" | jq -S "$norm" >"$tmp/mc.json"

fields=0 same=0
for part in HostConfig Config; do
	for k in $(jq -r ".$part | keys[]" "$tmp/v2.json" "$tmp/mc.json" | sort -u); do
		fields=$((fields + 1))
		if [ "$(jq -c ".$part[\"$k\"]" "$tmp/v2.json")" = "$(jq -c ".$part[\"$k\"]" "$tmp/mc.json")" ]; then
			same=$((same + 1))
		else
			echo "DIFFERS $part.$k: compose v2 $(jq -c ".$part[\"$k\"]" "$tmp/v2.json"), mixcompose $(jq -c ".$part[\"$k\"]" "$tmp/mc.json")"
		fi
	done
done
echo "v2-inspect: $same of $fields HostConfig and Config fields equal"
[ "$same" = "$fields" ]
