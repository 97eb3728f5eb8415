#!/usr/bin/env bash
# Fetches docker compose v2 (Debian trixie's docker-compose .deb, the Go
# compose v2; it needs only libc6 >= 2.34, so it runs on Debian 12) and
# prints the path of its binary.  Cached: a second run prints the path at
# once.  The system's apt sources are not touched: a private sources list is
# written at run time, with the mirror read from the system's own
# /etc/apt/sources.list.d/debian.sources (no registry host in the repo).
#
#   COMPOSE_V2_CACHE  where to keep it (default: build/deps/compose-v2 of
#                     the source tree; build/ is not part of the sources)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${COMPOSE_V2_CACHE:-$top/build/deps/compose-v2}
bin=$dir/root/usr/libexec/docker/cli-plugins/docker-compose

if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi
src=/etc/apt/sources.list.d/debian.sources
uri=$(awk '/^URIs:/ { print $2; exit }' "$src" 2>/dev/null || true)
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
	uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' /etc/apt/sources.list)
fi
[ -n "$uri" ] || { echo "compose-v2.sh: no Debian mirror in $src" >&2; exit 1; }

mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/root"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" >"$dir/sources.list"
opts=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
	-o APT::Sandbox::User=root -qq)
apt-get "${opts[@]}" update >&2
(cd "$dir" && apt-get "${opts[@]}" download docker-compose >&2)
deb=$(ls "$dir"/docker-compose_*.deb | head -n 1)
dpkg-deb -x "$deb" "$dir/root"
rm -rf "$dir/lists" "$dir/cache" "$deb"
[ -x "$bin" ] || { echo "compose-v2.sh: $bin is missing from $deb" >&2; exit 1; }
"$bin" version >&2
echo "$bin"
