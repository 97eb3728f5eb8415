#!/usr/bin/env bash
# Issue 3's benchmark, against the lab's "linux" daemon, side by side in one
# run:
#   (a) 1000 /_ping round trips through the engine against the same done by
#       one `curl --unix-socket` process (one reused connection);
#   (b) 20 containers created, started, stopped (t=0) and removed through
#       the engine's multi loop against the best of 1, 2, 4 and 8 concurrent
#       curl workers sending the same requests (the floor).
# Each figure is the median of $RUNS runs.  Prints a Markdown table.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bench=${ENGINE_BENCH:-$top/build/engine_bench}
sock=${SOCK:-/run/mixlab/linux.sock}
pings=${PINGS:-1000}
n=${CONTAINERS:-20}
runs=${RUNS:-3}
image=${IMAGE:-local/busybox:lab}
api=v1.41
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -S "$sock" ] || { echo "no daemon at $sock: run lab/mixlab up" >&2; exit 1; }
[ -x "$bench" ] || { echo "build first: bash scripts/build.sh" >&2; exit 1; }

secs() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# (a) the floor: one curl process, every URL on one connection.
for _ in $(seq "$pings"); do echo "url = \"http://d/$api/_ping\""; echo "output = /dev/null"; done >"$tmp/pings.cfg"
ping_floor() {
	local t0 t1
	t0=$(secs)
	curl -s --unix-socket "$sock" -K "$tmp/pings.cfg"
	t1=$(secs)
	echo "$t1 - $t0" | bc -l
}

# (b) the floor: one worker walks its share of containers through the API.
worker() {
	local w=$1 k=$2 i id
	for ((i = w; i < n; i += k)); do
		id=$(curl -sf --unix-socket "$sock" -H 'Content-Type: application/json' \
			-d "{\"Image\":\"$image\",\"Cmd\":[\"sleep\",\"3600\"]}" \
			"http://d/$api/containers/create?name=mixbench-floor-$$-$i" |
			sed 's/.*"Id":"\([0-9a-f]*\)".*/\1/')
		curl -sf --unix-socket "$sock" -X POST "http://d/$api/containers/$id/start" >/dev/null
		curl -sf --unix-socket "$sock" -X POST "http://d/$api/containers/$id/stop?t=0" >/dev/null
		curl -sf --unix-socket "$sock" -X DELETE "http://d/$api/containers/$id?force=1" >/dev/null
	done
}
lifecycle_floor() {
	local k=$1 t0 t1 w
	t0=$(secs)
	for ((w = 0; w < k; w++)); do worker "$w" "$k" & done
	wait
	t1=$(secs)
	echo "$t1 - $t0" | bc -l
}

# Whatever happens, no benchmark container is left behind.
cleanup() {
	curl -s --unix-socket "$sock" "http://d/$api/containers/json?all=1" |
		grep -o '"Id":"[0-9a-f]*","Names":\["/mixbench-[^"]*"' |
		sed 's/"Id":"\([0-9a-f]*\)".*/\1/' |
		while read -r id; do
			curl -s --unix-socket "$sock" -X DELETE "http://d/$api/containers/$id?force=1" >/dev/null
		done
	rm -rf "$tmp"
}
trap cleanup EXIT

for _ in $(seq "$runs"); do "$bench" "unix://$sock" ping "$pings" | cut -d' ' -f1; done | median >"$tmp/pe"
for _ in $(seq "$runs"); do ping_floor; done | median >"$tmp/pf"
for _ in $(seq "$runs"); do "$bench" "unix://$sock" lifecycle "$n" "$image"; done | median >"$tmp/le"
best=
for k in 1 2 4 8; do
	v=$(for _ in $(seq "$runs"); do lifecycle_floor "$k"; done | median)
	echo "floor with $k curl worker(s): $v s" >&2
	if [ -z "$best" ] || [ "$(echo "$v < $best" | bc -l)" = 1 ]; then best=$v; bestk=$k; fi
done
connects=$("$bench" "unix://$sock" ping 10 | cut -d' ' -f2)

printf '| workload | mixcompose engine | floor | ratio (engine / floor) |\n|---|---:|---:|---:|\n'
awk -v e="$(cat "$tmp/pe")" -v f="$(cat "$tmp/pf")" -v n="$pings" 'BEGIN {
	printf "| %d x GET /_ping | %.1f ms | %.1f ms (one curl process) | %.2f |\n", n, e * 1000, f * 1000, e / f }'
awk -v e="$(cat "$tmp/le")" -v f="$best" -v n="$n" -v k="$bestk" 'BEGIN {
	printf "| %d containers create+start+stop+remove | %.2f s | %.2f s (best: %d curl workers) | %.2f |\n", n, e, f, k, e / f }'
echo "(engine connections opened for 10 pings: $connects; median of $runs runs)"
