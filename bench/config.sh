#!/usr/bin/env bash
# `mixcompose config` against docker compose v2 (scripts/compose-v2.sh) and
# docker-compose 1.29's `config`, side by side in one run, on generated
# files of 10, 100, 1000 and 5000 services; with BASELINE=PATH, also
# against that mixcompose binary (e.g. one built from main before a
# change), to show that `config` is no slower than it was (within 10%).
# Wall time is the mean of hyperfine runs; peak memory is GNU time's
# maximum resident set size.  Prints Markdown tables.
#
#   SIZES="10 100"   the sizes (default 10 100 1000 5000)
#   RUNS=N           hyperfine runs of every command (default: 20 for
#                    mixcompose and the baseline, 10 for the others, 3
#                    for them from 1000 services)
#   BASELINE=PATH    the mixcompose to compare with (optional)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${MIXCOMPOSE:-$top/build/mixcompose}
base=${BASELINE:-}
sizes=${SIZES:-10 100 1000 5000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

[ -x "$bin" ] || { echo "build mixcompose first (bash scripts/build.sh)" >&2; exit 1; }
[ -z "$base" ] || [ -x "$base" ] || { echo "BASELINE=$base is not an executable" >&2; exit 1; }
command -v docker-compose >/dev/null || { echo "needs docker-compose (apt-get install docker-compose)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "needs hyperfine" >&2; exit 1; }
command -v jq >/dev/null || { echo "needs jq" >&2; exit 1; }
cv2=$(bash "$top/scripts/compose-v2.sh")

# Seconds (mean) of hyperfine's command 'i' in its JSON export.
mean() { jq -r ".results[$2].mean" "$1"; }

# Peak RSS in KiB of one run.
peak() {
	/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1
}

hf() { # json runs command...
	local json=$1 runs=$2
	shift 2
	hyperfine -N -w 1 -r "$runs" --export-json "$json" "$@" >/dev/null 2>&1
}

printf '| services | mixcompose | compose v2 | docker-compose 1.29 | compose v2 / mixcompose | 1.29 / mixcompose | mixcompose peak RSS | compose v2 peak RSS | 1.29 peak RSS |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
: >"$out/base.md"
for n in $sizes; do
	f=$out/compose-$n.yaml
	bash "$top/bench/gen_compose.sh" "$n" >"$f"
	mc=("$bin" -f "$f" -p bench config --format json)
	v2=("$cv2" -f "$f" -p bench config --format json)
	dc=(docker-compose -f "$f" -p bench config)
	"${mc[@]}" >/dev/null
	"${v2[@]}" >/dev/null
	runs=10
	[ "$n" -ge 1000 ] && runs=3
	mruns=${RUNS:-20}
	runs=${RUNS:-$runs}
	hf "$out/mc.json" "$mruns" "${mc[*]}"
	hf "$out/v2.json" "$runs" "${v2[*]}"
	hf "$out/dc.json" "$runs" "${dc[*]}"
	m=$(mean "$out/mc.json" 0)
	v=$(mean "$out/v2.json" 0)
	d=$(mean "$out/dc.json" 0)
	awk -v n="$n" -v m="$m" -v v="$v" -v d="$d" -v rm="$(peak "${mc[@]}")" \
		-v rv="$(peak "${v2[@]}")" -v rd="$(peak "${dc[@]}")" 'BEGIN {
		printf "| %d | %.1f ms | %.0f ms | %.0f ms | %.1fx | %.0fx | %.1f MB | %.1f MB | %.1f MB |\n",
			n, m * 1000, v * 1000, d * 1000, v / m, d / m, rm / 1024, rv / 1024, rd / 1024
	}'
	if [ -n "$base" ]; then
		# Both binaries in one hyperfine call, on the same file.
		bc=("$base" -f "$f" -p bench config --format json)
		hf "$out/b.json" "$mruns" "${mc[*]}" "${bc[*]}"
		awk -v n="$n" -v m="$(mean "$out/b.json" 0)" -v b="$(mean "$out/b.json" 1)" \
			-v rm="$(peak "${mc[@]}")" -v rb="$(peak "${bc[@]}")" 'BEGIN {
			r = m / b
			printf "| %d | %.1f ms | %.1f ms | %.3f | %s | %.1f MB | %.1f MB |\n",
				n, m * 1000, b * 1000, r, r <= 1.10 ? "yes" : "no", rm / 1024, rb / 1024
		}' >>"$out/base.md"
	fi
done
if [ -n "$base" ]; then
	printf '\nAgainst the baseline (%s):\n\n' "$base"
	printf '| services | mixcompose | baseline | mixcompose / baseline | within 10%% | mixcompose peak RSS | baseline peak RSS |\n'
	printf '|---:|---:|---:|---:|---|---:|---:|\n'
	cat "$out/base.md"
fi
