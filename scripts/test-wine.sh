#!/usr/bin/env bash
# The Windows build, tested under wine64 (scripts/test.sh runs it):
#  1. cross-builds mixcompose-<version>-windows-x86_64.zip and unpacks it;
#  2. `version`, `schema`, and `config --format json` of every sample give
#     what the Linux build (build/mixcompose) gives, paths aside;
#  3. tests/wine/wintest.exe: the Windows-specific unit tests;
#  4. with the lab up: end to end against its two real daemons, "linux"
#     over npipe:// (tests/wine/piperelay.exe serves \\.\pipe\NAME and
#     forwards to a loopback TCP port) and "windows" over tcp://127.0.0.1,
#     each TCP port a socat relay to the daemon's unix socket.  Nothing is
#     left on either daemon.
# Wine runs in the prefix of scripts/wine-env.sh; its wineserver is stopped
# at the end, relays are started and stopped by pid.
#   scripts/test-wine.sh [BUILD_DIR]     (default: build-win)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$top/build-win}" && cd "${1:-$top/build-win}" && pwd)
linux_bin=${MIXCOMPOSE_LINUX_BIN:-$top/build/mixcompose}
cd "$top"
t0=$(date +%s)

echo "== cross build (mingw-w64)"
tb=$(date +%s)
bash scripts/build-windows.sh "$out"
echo "cross build: $(($(date +%s) - tb)) s"
zip=$(ls "$out"/mixcompose-*-windows-x86_64.zip)
rm -rf "$out/unzipped" && mkdir -p "$out/unzipped"
(cd "$out/unzipped" && unzip -q "$zip")
app=$(ls -d "$out"/unzipped/mixcompose-*)
cp "$out/mixcompose/wintest.exe" "$out/mixcompose/piperelay.exe" "$app/"

# The one wine prefix of every wine step (scripts/wine-env.sh, default
# build/wine-prefix: wineboot once, 10-20 s); this script stops its
# wineserver at the end (by the prefix's own `wineserver -k`).
. "$top/scripts/wine-env.sh"
wine=$WINE
pids=()
work=$(mktemp -d "$out/e2e.XXXXXX")
cleanup() {
	local rc=$?
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	wine_stop
	rm -rf "$work"
	echo "wine tests: $(($(date +%s) - t0)) s in all"
	exit "$rc"
}
trap cleanup EXIT

win() { "$wine" "$app/mixcompose.exe" "$@"; }

echo "== version, schema"
v=$(win version | tr -d '\r')
lv=$("$linux_bin" version)
[ "$v" = "$lv" ] || { echo "version: '$v' vs Linux '$lv'" >&2; exit 1; }
cmp <(win schema) <("$linux_bin" schema) ||
	{ echo "schema differs from the Linux build's" >&2; exit 1; }

# Paths aside: Z:\x\y and /x/y are the same file; the project's directory
# becomes <DIR>.
norm() {
	jq -S --arg dir "$1" 'walk(if type == "string" then
		(gsub("\\\\"; "/") | sub("^[Zz]:/"; "/") |
		 gsub($dir; "<DIR>")) else . end)'
}

echo "== config --format json of every sample, against the Linux build"
n=0
for f in samples/*/compose.yaml; do
	d=$(cd "$(dirname "$f")" && pwd)
	(cd "$d" && "$linux_bin" -f compose.yaml config --format json) |
		norm "$d" >"$work/linux.json"
	(cd "$d" && win -f compose.yaml config --format json) |
		norm "$d" >"$work/win.json"
	if ! diff -u "$work/linux.json" "$work/win.json"; then
		echo "config of $f differs under wine" >&2
		exit 1
	fi
	n=$((n + 1))
done
echo "config: $n samples give the same model"

echo "== Windows-specific unit tests (wintest.exe)"
(cd "$app" && "$wine" ./wintest.exe)

if ! lab/mixlab status >/dev/null 2>&1; then
	echo "== end to end: skipped, the lab is not up (lab/mixlab up)"
	exit 0
fi
bash "$top/tests/wine/e2e.sh" "$app" "$work" "$linux_bin"
