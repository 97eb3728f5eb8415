#!/usr/bin/env bash
# Builds the HTTP-only libcurl that mixcompose links in for daemons reached
# without TLS (unix sockets, plain tcp, ssh), and prints the path of its
# libcurl.a.  Debian's libcurl4 drags in about 30 libraries (OpenSSL,
# GnuTLS, Kerberos, LDAP, libssh2, ...): loading them costs every command
# about 20 ms of CPU (measured: dlopen of libcurl.so.4 alone, 21-23 ms).
# This one needs only libc.  It is the same curl: the source of the
# installed libcurl4, with Debian's patches (scripts/debsrc.sh).  TLS
# daemons keep the system's libcurl, loaded on first use
# (engine/curl_load.c).
#
# Cached by curl's Debian version, outside the source tree, so that every
# checkout and build directory shares one build:
#   MIXCOMPOSE_DEPS_CACHE  (default: ~/.cache/mixcompose-deps)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(dpkg-query -W -f='${source:Version}' libcurl4 2>/dev/null || true)
[ -n "$ver" ] || { echo "curl-http.sh: libcurl4 is not installed" >&2; exit 1; }
cache=${MIXCOMPOSE_DEPS_CACHE:-${HOME:-/root}/.cache/mixcompose-deps}
dir=$cache/curl-http-$ver
lib=$dir/libcurl.a
[ -f "$lib" ] && { echo "$lib"; exit 0; }
mkdir -p "$cache"
exec 9>"$cache/.curl-http.lock"
flock 9
[ -f "$lib" ] && { echo "$lib"; exit 0; } # built by another run meanwhile

export DEBSRC_DIR=$cache/debsrc
# shellcheck source=scripts/debsrc.sh
. "$top/scripts/debsrc.sh"
src=$(debsrc_fetch curl "$ver")
work=$(mktemp -d "$cache/curl-http.XXXXXX")
trap 'rm -rf "$work"' EXIT

# HTTP/1.1 over TCP and unix sockets only: no TLS, no compression, no
# IDN/PSL, no other protocol, no cookies or auth schemes mixcompose never
# uses.  Position-independent, so that it links into the executable.
cmake -S "$src" -B "$work" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_FLAGS="-O2 -w" -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
	-DBUILD_SHARED_LIBS=OFF -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF \
	-DHTTP_ONLY=ON -DENABLE_UNIX_SOCKETS=ON -DENABLE_IPV6=ON \
	-DCURL_USE_OPENSSL=OFF -DCURL_ENABLE_SSL=OFF -DCURL_ZLIB=OFF \
	-DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DUSE_NGHTTP2=OFF -DUSE_LIBIDN2=OFF \
	-DCURL_USE_LIBPSL=OFF -DCURL_USE_LIBSSH2=OFF -DCURL_USE_GSSAPI=OFF \
	-DCURL_DISABLE_LDAP=ON -DCURL_DISABLE_LDAPS=ON \
	-DCURL_DISABLE_COOKIES=ON -DCURL_DISABLE_NETRC=ON \
	-DCURL_DISABLE_ALTSVC=ON -DCURL_DISABLE_HSTS=ON \
	-DCURL_DISABLE_NTLM=ON -DCURL_DISABLE_KERBEROS_AUTH=ON \
	-DCURL_DISABLE_NEGOTIATE_AUTH=ON -DCURL_CA_BUNDLE=none \
	-DCURL_CA_PATH=none -DENABLE_MANUAL=OFF >"$work.log" 2>&1 ||
	{ tail -30 "$work.log" >&2; exit 1; }
cmake --build "$work" -j "$(nproc)" --target libcurl >>"$work.log" 2>&1 ||
	{ tail -30 "$work.log" >&2; exit 1; }
mkdir -p "$dir"
cp "$(find "$work/lib" -name 'libcurl*.a' | head -1)" "$lib.tmp"
mv "$lib.tmp" "$lib"
rm -f "$work.log"
echo "$lib"
