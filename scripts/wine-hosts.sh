#!/usr/bin/env bash
# The hosts block of a Windows container, by the exact command mixcompose
# sends (`plan --format json`, .containers[].hosts_exec: cmd /S /C LINE, run
# as ContainerAdministrator), run by wine's cmd.exe against a hosts file
# with a user's own lines in the wine prefix's
# C:\Windows\System32\drivers\etc\hosts:
#   - the block is there once, with every peer, after the first run;
#   - every line of the user is kept, in order;
#   - a second run leaves the file byte for byte the same;
#   - a new plan (an address changed) replaces the block, not appends one.
# wine 8.0's findstr.exe is a stub (prints nothing, exits 0: the command
# would then empty the file), so the prefix gets tests/wine/findstr.c, built
# with mingw, which does only what the command asks of findstr (/V /R /C:
# with '.' as its one metacharacter).  What this proves is cmd.exe's side:
# the parsing of the line (^-escapes, &, parentheses, redirections,
# `if not errorlevel 2`), type, echo and del; not Windows' own findstr.
# Usage: scripts/wine-hosts.sh [BUILD_DIR]   (default build)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
mc=$build/mixcompose
. "$top/scripts/wine-env.sh"

work=$(mktemp -d /tmp/mc-wine-hosts.XXXXXX)
hosts="$WINEPREFIX/drive_c/windows/system32/drivers/etc/hosts"
saved="$work/hosts.saved"
sys32="$WINEPREFIX/drive_c/windows/system32"
cp "$hosts" "$saved"
cp "$sys32/findstr.exe" "$work/findstr.saved"
cleanup() {
	cp "$saved" "$hosts"
	cp "$work/findstr.saved" "$sys32/findstr.exe"
	rm -rf "$work"
}
trap cleanup EXIT

fail() {
	echo "wine-hosts: $*" >&2
	exit 1
}

# A project whose 'web' runs on a declared (real) Windows daemon, so that its
# hosts mechanism is the exec: planned offline, no daemon is asked.
project() { # $1: api's ipv4_address
	cat >"$work/compose.yaml" <<YAML
name: winehosts
x-mixcompose:
  daemons:
    linux: {endpoint: "unix:///nonexistent/l.sock", os: linux}
    windows: {endpoint: "unix:///nonexistent/w.sock", os: windows}
services:
  web:
    image: web
    platform: windows
  api:
    image: api
    platform: linux
    networks:
      default: {aliases: [api-alias], ipv4_address: $1}
  db:
    image: db
    platform: linux
networks:
  default:
    ipam: {config: [{subnet: 172.30.40.0/24}]}
YAML
	(cd "$work" && "$mc" plan --offline --format json) >"$work/plan.json"
	jq -e -r '.containers[] | select(.service == "web") |
		select(.hosts_exec[0:3] == ["cmd", "/S", "/C"]) |
		.hosts_exec[3]' "$work/plan.json" >"$work/cmdline" ||
		fail "no cmd /S /C command for web in the plan"
	[ "$(jq -r '.containers[] | select(.service == "web") |
		.hosts_exec_user' "$work/plan.json")" = ContainerAdministrator ] ||
		fail "the exec user is not ContainerAdministrator"
}

run_cmd() {
	"$WINE" cmd /S /C "$(cat "$work/cmdline")" >"$work/out" 2>&1 ||
		fail "cmd failed: $(cat "$work/out")"
	"$WINESERVER" -w
}

x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -Werror -o "$sys32/findstr.exe" \
	"$top/tests/wine/findstr.c"
# wine prefers its builtin programs: ask for the native (mingw) one.
export WINEDLLOVERRIDES="$WINEDLLOVERRIDES;findstr.exe=n"

# A Windows hosts file: CRLF, comments, two lines of the user's.
printf '%s\r\n' '# Copyright (c) 1993-2009 Microsoft Corp.' '#' \
	'127.0.0.1       localhost' '10.9.8.7 intranet.example # mine' \
	'10.9.8.8 files.example' >"$hosts"
cp "$hosts" "$work/user"

project 172.30.40.10
run_cmd
cp "$hosts" "$work/first"
[ "$(grep -c '^# mixcompose begin' "$work/first")" = 1 ] ||
	fail "not one block: $(cat "$work/first")"
grep -q '^172\.30\.40\.10 api api-alias winehosts-api-1 # mixcompose' \
	"$work/first" || fail "api is missing: $(cat "$work/first")"
grep -q ' db winehosts-db-1 # mixcompose' "$work/first" ||
	fail "db is missing: $(cat "$work/first")"
head -c "$(stat -c %s "$work/user")" "$work/first" | cmp -s - "$work/user" ||
	fail "the user's lines changed: $(cat "$work/first")"

run_cmd
cmp -s "$hosts" "$work/first" || fail "a second run changed the file"

project 172.30.40.11
run_cmd
[ "$(grep -c '^# mixcompose begin' "$hosts")" = 1 ] || fail "two blocks"
grep -q '^172\.30\.40\.11 api ' "$hosts" || fail "the new address is missing"
! grep -q '^172\.30\.40\.10 ' "$hosts" || fail "the old address stayed"
head -c "$(stat -c %s "$work/user")" "$hosts" | cmp -s - "$work/user" ||
	fail "the user's lines changed on the second plan"

echo "wine-hosts: ok (block once, user lines kept, second run unchanged," \
	"new plan replaces the block; $(wc -l <"$hosts") lines)"
