#!/usr/bin/env bash
# Issue 2's benchmark: `mixcompose config` against docker-compose 1.29's
# `config` on generated files of 10, 100, 1000 and 5000 services, side by
# side in one run.  Wall time is the mean of hyperfine runs; peak memory
# is GNU time's maximum resident set size.  Prints a Markdown table.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${MIXCOMPOSE:-$top/build/mixcompose}
sizes=${SIZES:-10 100 1000 5000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

[ -x "$bin" ] || { echo "build mixcompose first (bash scripts/build.sh)" >&2; exit 1; }
command -v docker-compose >/dev/null || { echo "needs docker-compose (apt-get install docker-compose)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "needs hyperfine" >&2; exit 1; }

# Seconds (mean) of a command, from hyperfine's JSON export.
mean() {
	local json=$1
	grep -o '"mean": *[0-9.e-]*' "$json" | head -1 | sed 's/.*: *//'
}

# Peak RSS in KiB of one run.
peak() {
	/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1
}

printf '| services | mixcompose | docker-compose 1.29 | speed-up | mixcompose peak RSS | docker-compose peak RSS |\n'
printf '|---:|---:|---:|---:|---:|---:|\n'
for n in $sizes; do
	f=$out/compose-$n.yaml
	bash "$top/bench/gen_compose.sh" "$n" >"$f"
	mc=("$bin" -f "$f" -p bench config --format json)
	dc=(docker-compose -f "$f" -p bench config)
	"${mc[@]}" >/dev/null
	runs=10
	[ "$n" -ge 1000 ] && runs=3
	hyperfine -N -w 1 -r 20 --export-json "$out/mc.json" "${mc[*]}" >/dev/null 2>&1
	hyperfine -N -w 1 -r "$runs" --export-json "$out/dc.json" "${dc[*]}" >/dev/null 2>&1
	m=$(mean "$out/mc.json")
	d=$(mean "$out/dc.json")
	rm=$(peak "${mc[@]}")
	rd=$(peak "${dc[@]}")
	awk -v n="$n" -v m="$m" -v d="$d" -v rm="$rm" -v rd="$rd" 'BEGIN {
		printf "| %d | %.1f ms | %.0f ms | %.0fx | %.1f MB | %.1f MB |\n",
			n, m * 1000, d * 1000, d / m, rm / 1024, rd / 1024
	}'
done
