#!/bin/sh
# Builds the libFuzzer target (clang) and runs it for N seconds (default
# 600) on a working copy of the seed corpus; prints executions, speed and
# crashes.  Usage: scripts/fuzz.sh [SECONDS]
set -eu
secs=${1:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}

CC=clang cmake -S "$root" -B "$build" -DMIXCOMPOSE_FUZZ=ON \
	-DMIXCOMPOSE_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fuzz_load -j2 >/dev/null

mkdir -p "$build/corpus" "$build/artifacts"
log="$build/fuzz.log"
status=0
"$build/fuzz_load" "$build/corpus" "$root/tests/fuzz/corpus" \
	-max_total_time="$secs" -max_len=8192 -timeout=5 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$build/artifacts/" \
	>"$log" 2>&1 || status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
crashes=$(find "$build/artifacts" -type f | wc -l)
echo "seconds: $secs"
echo "execs: ${execs:-?}"
echo "exec/s: ${speed:-?}"
echo "crashes: $crashes (artifacts in $build/artifacts)"
echo "corpus: $(find "$build/corpus" -type f | wc -l) units"
if [ "$status" -ne 0 ]; then
	echo "libFuzzer exited with status $status; tail of $log:"
	tail -40 "$log"
fi
exit "$status"
