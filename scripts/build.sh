#!/usr/bin/env bash
# Configures and builds mixcompose into build/ (or $1), warnings as errors.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build}
type=${2:-RelWithDebInfo}
# The HTTP-only libcurl for daemons without TLS (built once, then cached
# outside the tree); MIXCOMPOSE_CURL_HTTP=off builds without it, and then
# every daemon goes through the system's libcurl.
curl_http=
if [ "${MIXCOMPOSE_CURL_HTTP:-}" != off ]; then
	curl_http=$(bash "$top/scripts/curl-http.sh") ||
		{ echo "build.sh: no HTTP-only libcurl; every daemon uses the system's" >&2; curl_http=; }
fi
cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DMIXCOMPOSE_WERROR=ON \
	-DMIXCOMPOSE_CURL_HTTP="$curl_http" >/dev/null
cmake --build "$dir" -j "$(nproc)"
