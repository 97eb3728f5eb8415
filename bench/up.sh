#!/usr/bin/env bash
# Issue 4's benchmark, side by side in one run on the lab's "linux" daemon:
#   `up -d` then `down -t 0` of 1, 5, 20 and 50 services, flat and chained,
#   by mixcompose, by docker compose v2 (scripts/compose-v2.sh), by
#   docker-compose 1.29, and by the raw-API floor (the same
#   requests sent with curl: network create, create+start per container
#   with 8 workers for flat and one after another for a chain; then
#   stop+remove and network remove);
#   a no-op `up -d` (everything already running);
#   `down` of one service;
#   a two-daemon `up -d` of 2 x 10 services against the one-daemon floor
#   for 20.
# Prints Markdown tables; each figure is one run's wall time (RUNS=N for
# the median of N).  SIZES="1 5" picks the sizes.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mc=${MIXCOMPOSE:-$top/build/mixcompose}
lsock=${LINUX_SOCK:-/run/mixlab/linux.sock}
wsock=${WINDOWS_SOCK:-/run/mixlab/windows.sock}
sizes=${SIZES:-1 5 20 50}
# SHAPES ("flat chain") chooses the up/down rows by shape; empty: none.
shapes=${SHAPES-flat chain}
runs=${RUNS:-1}
api=v1.41
tmp=$(mktemp -d /tmp/mixup.XXXXXX)
export DOCKER_HOST=unix://$lsock

[ -S "$lsock" ] || { echo "no lab: run lab/mixlab up" >&2; exit 1; }
cv2=$(bash "$top/scripts/compose-v2.sh")

# Removes what this script made, and only that (its own projects, the
# floor's containers and networks), so that it can run beside the demo or
# anyone's projects; it never stops half way (no errexit in here).
cleanup() {
	local s id p flt net
	set +e
	for s in "$lsock" "$wsock"; do
		[ -S "$s" ] || continue
		for p in mcb cvb dcb mcb1 cvb1 dcb1; do
			flt=$(printf '{"label":["com.docker.compose.project=%s"]}' "$p" | jq -sRr @uri)
			for id in $(curl -s --unix-socket "$s" "http://d/$api/containers/json?all=1&filters=$flt" | jq -r '.[].Id'); do
				curl -s --unix-socket "$s" -X DELETE "http://d/$api/containers/$id?force=1" >/dev/null
			done
		done
		for id in $(curl -s --unix-socket "$s" "http://d/$api/containers/json?all=1" |
			jq -r '.[] | select(any(.Names[]; startswith("/floor-"))) | .Id'); do
			curl -s --unix-socket "$s" -X DELETE "http://d/$api/containers/$id?force=1" >/dev/null
		done
		for net in $(curl -s --unix-socket "$s" "http://d/$api/networks" |
			jq -r '.[].Name | select(test("^(mcb|cvb|dcb|floor)"))'); do
			curl -s --unix-socket "$s" -X DELETE "http://d/$api/networks/$net" >/dev/null
		done
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

secs() { date +%s.%N; }
# Wall seconds of a command, quietly; fails the benchmark if it fails.
timed() {
	local t0 t1
	t0=$(secs)
	"$@" >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; echo "failed: $*" >&2; exit 1; }
	t1=$(secs)
	echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# The floor: the requests an up needs, straight to the daemon.
floor_create() { # name
	curl -sf --unix-socket "$lsock" -H 'Content-Type: application/json' \
		-d "{\"Image\":\"local/busybox:lab\",\"Cmd\":[\"sleep\",\"3600\"],\"HostConfig\":{\"NetworkMode\":\"floor_net\"}}" \
		"http://d/$api/containers/create?name=$1" | sed 's/.*"Id":"\([0-9a-f]*\)".*/\1/'
}
floor_worker() { # first step n
	local i id
	for ((i = $1; i < $3; i += $2)); do
		id=$(floor_create "floor-$i")
		curl -sf --unix-socket "$lsock" -X POST "http://d/$api/containers/$id/start" >/dev/null
	done
}
floor_up() { # n shape
	local w k=8
	curl -sf --unix-socket "$lsock" -H 'Content-Type: application/json' \
		-d '{"Name":"floor_net"}' "http://d/$api/networks/create" >/dev/null
	[ "$2" = chain ] && k=1
	for ((w = 0; w < k; w++)); do floor_worker "$w" "$k" "$1" & done
	wait
}
floor_rm() { # name
	curl -sf --unix-socket "$lsock" -X POST "http://d/$api/containers/$1/stop?t=0" >/dev/null
	curl -sf --unix-socket "$lsock" -X DELETE "http://d/$api/containers/$1" >/dev/null
}
# Flat: every container at once.  Chain: dependents first, one after
# another, as the order of a down requires.
floor_down() { # [chain N]
	local names name i
	if [ "${1:-}" = chain ]; then
		for ((i = $2 - 1; i >= 0; i--)); do floor_rm "floor-$i"; done
	else
		names=$(curl -s --unix-socket "$lsock" "http://d/$api/containers/json?all=1" |
			grep -o '"Names":\["/floor-[^"]*"' | cut -d/ -f2 | tr -d '"')
		for name in $names; do floor_rm "$name" & done
		wait
	fi
	curl -sf --unix-socket "$lsock" -X DELETE "http://d/$api/networks/floor_net" >/dev/null
}

row() { # label mc v2 dc floor
	awk -v l="$1" -v m="$2" -v v="$3" -v d="$4" -v f="$5" 'BEGIN {
		printf "| %s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f | %.2f | %.2f |\n", l, m, v, d, f, m / f, v / f, d / f }'
}

echo "| workload | mixcompose | compose v2 | docker-compose 1.29 | raw-API floor | mixcompose / floor | compose v2 / floor | docker-compose / floor |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for shape in $shapes; do
	for n in $sizes; do
		f=$tmp/$shape-$n.yaml
		bash "$top/bench/gen_flat.sh" "$n" "$shape" >"$f"
		for what in mu md vu vd du dd fu fd; do : >"$tmp/$what"; done
		for _ in $(seq "$runs"); do
			timed "$mc" -f "$f" -p mcb up -d >>"$tmp/mu"
			timed "$mc" -f "$f" -p mcb down -t 0 >>"$tmp/md"
			timed "$cv2" -f "$f" -p cvb up -d >>"$tmp/vu"
			timed "$cv2" -f "$f" -p cvb down -t 0 >>"$tmp/vd"
			timed docker-compose -f "$f" -p dcb up -d >>"$tmp/du"
			timed docker-compose -f "$f" -p dcb down -t 0 >>"$tmp/dd"
			timed floor_up "$n" "$shape" >>"$tmp/fu"
			timed floor_down "$shape" "$n" >>"$tmp/fd"
		done
		row "up -d, $n $shape" "$(median <"$tmp/mu")" "$(median <"$tmp/vu")" "$(median <"$tmp/du")" "$(median <"$tmp/fu")"
		row "down -t 0, $n $shape" "$(median <"$tmp/md")" "$(median <"$tmp/vd")" "$(median <"$tmp/dd")" "$(median <"$tmp/fd")"
	done
done

# A no-op up and the down of one service (floor: one GET of the state).
f=$tmp/noop.yaml
bash "$top/bench/gen_flat.sh" 5 flat >"$f"
"$mc" -f "$f" -p mcb up -d >/dev/null 2>&1 || true
"$cv2" -f "$f" -p cvb up -d >/dev/null 2>&1 || true
docker-compose -f "$f" -p dcb up -d >/dev/null 2>&1 || true
m=$(for _ in 1 2 3 4 5; do timed "$mc" -f "$f" -p mcb up -d; done | median)
v=$(for _ in 1 2 3 4 5; do timed "$cv2" -f "$f" -p cvb up -d; done | median)
d=$(for _ in 1 2 3; do timed docker-compose -f "$f" -p dcb up -d; done | median)
fl=$(for _ in 1 2 3 4 5; do timed curl -sf --unix-socket "$lsock" "http://d/$api/containers/json?all=1"; done | median)
row "no-op up -d, 5 running" "$m" "$v" "$d" "$fl"
"$mc" -f "$f" -p mcb down -t 0 >/dev/null 2>&1 || true
"$cv2" -f "$f" -p cvb down -t 0 >/dev/null 2>&1 || true
docker-compose -f "$f" -p dcb down -t 0 >/dev/null 2>&1 || true
# A project of its own: a stale endpoint that 20.10 may keep on the
# no-op project's network would fail docker-compose's down.
bash "$top/bench/gen_flat.sh" 1 flat >"$f"
"$mc" -f "$f" -p mcb1 up -d >/dev/null 2>&1 || true
"$cv2" -f "$f" -p cvb1 up -d >/dev/null 2>&1 || true
docker-compose -f "$f" -p dcb1 up -d >/dev/null 2>&1 || true
m=$(timed "$mc" -f "$f" -p mcb1 down -t 0)
v=$(timed "$cv2" -f "$f" -p cvb1 down -t 0)
d=$(timed docker-compose -f "$f" -p dcb1 down -t 0)
floor_up 1 flat >/dev/null
fl=$(timed floor_down)
row "down -t 0, 1 service" "$m" "$v" "$d" "$fl"

# Two daemons at once: 10 services on each, against the one-daemon floor for 20.
if [ -S "$wsock" ]; then
	f=$tmp/two.yaml
	{
		bash "$top/bench/gen_flat.sh" 10 flat linux l
		bash "$top/bench/gen_flat.sh" 10 flat windows w | tail -n +2
		cat <<YAML
x-mixcompose:
  daemons:
    linux: { endpoint: "unix://$lsock", os: linux }
    windows: { endpoint: "unix://$wsock", os: windows, lab: true }
YAML
	} >"$f"
	m=$(timed "$mc" -f "$f" -p mcb up -d)
	"$mc" -f "$f" -p mcb down -t 0 >/dev/null 2>&1
	fl=$(timed floor_up 20 flat)
	floor_down >/dev/null
	awk -v m="$m" -v f="$fl" 'BEGIN {
		printf "| up -d, 2 daemons x 10 (floor: 20 on one daemon) | %.2f s | - | - | %.2f s | %.2f | - | - |\n", m, f, m / f }'
fi
