#!/usr/bin/env bash
# Cross-builds mixcompose.exe for 64-bit Windows with mingw-w64 and packs
# mixcompose-<version>-windows-x86_64.zip.  Usage:
#   scripts/build-windows.sh [BUILD_DIR]          (default: build-win)
#
# The libraries are Debian's own source packages, of the very versions the
# Linux build links (the -dev packages installed here): libyaml, cJSON and
# PCRE2 are linked into the exe; libcurl (Schannel: Windows' own TLS, http
# and https only) and libarchive (tar writing only) are DLLs beside it,
# loaded on first use as on Linux (compat_dl_open: LoadLibrary).
#
# The sources come through a private apt configuration generated here from
# the machine's own Debian sources list (no registry host in the repo); the
# system's apt state is not touched.  Everything is cached in BUILD_DIR: a
# second run rebuilds only mixcompose.
set -euo pipefail
shopt -s inherit_errexit
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$top/build-win}" && cd "${1:-$top/build-win}" && pwd)
jobs=$(nproc)
triple=x86_64-w64-mingw32
toolchain=$top/cmake/mingw-w64-x86_64.cmake
prefix=$out/prefix
mkdir -p "$out/apt" "$out/src" "$out/deps" "$prefix"

# ---- Debian's sources, through the private apt configuration of
# scripts/debsrc.sh, kept in BUILD_DIR (apt/, src/) ------------------------
export DEBSRC_DIR=$out
# shellcheck source=scripts/debsrc.sh
. "$top/scripts/debsrc.sh"

# The libraries' configure steps are hundreds of small try-compiles each
# (libarchive alone about 340): Ninja where there is one (scripts/deps.sh
# installs it) runs them faster than make, and the five libraries are
# configured and built side by side, each into its own log.
if command -v ninja >/dev/null; then
	gen=(-G Ninja)
else
	gen=(-G "Unix Makefiles")
fi
lib_names=() lib_pids=()

# Configures, builds and installs one CMake project into the prefix, once,
# in the background (finish_libs waits).  With INSTALL set, that command
# installs instead of `cmake --install`, and BUILD_TARGET narrows the build.
cross_cmake() {
	local name=$1 dir=$2 stamp
	shift 2
	stamp=$prefix/.built-$(basename "$dir")
	[ -e "$stamp" ] && return 0
	echo "== $name (mingw-w64)"
	rm -rf "$out/deps/$name"
	(
		t=$(date +%s)
		b=$out/deps/$name
		cmake -S "$dir" -B "$b" "${gen[@]}" \
			-DCMAKE_TOOLCHAIN_FILE="$toolchain" \
			-DMIXCOMPOSE_WIN_PREFIX="$prefix" \
			-DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
			-DCMAKE_C_FLAGS="-O2 -w" "$@"
		c=$(date +%s)
		cmake --build "$b" -j "$jobs" ${BUILD_TARGET:+--target "$BUILD_TARGET"}
		if [ -n "${INSTALL:-}" ]; then
			(cd "$b" && eval "$INSTALL")
		else
			cmake --install "$b"
		fi
		echo "$name: configure $((c - t)) s, build $(($(date +%s) - c)) s"
		touch "$stamp"
	) >"$out/deps/$name.log" 2>&1 &
	lib_names+=("$name")
	lib_pids+=($!)
}

finish_libs() {
	local i rc=0
	for i in "${!lib_pids[@]}"; do
		if wait "${lib_pids[$i]}"; then
			tail -n1 "$out/deps/${lib_names[$i]}.log"
		else
			echo "${lib_names[$i]}: failed; the end of its log:" >&2
			tail -30 "$out/deps/${lib_names[$i]}.log" >&2
			rc=1
		fi
	done
	[ "$rc" = 0 ] || exit 1
}
# Ends the builds still running when this script fails.
trap 'for p in "${lib_pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

command -v $triple-gcc >/dev/null ||
	{ echo "$triple-gcc missing: run scripts/deps.sh" >&2; exit 1; }

read -r yaml_src yaml_ver < <(debsrc_of libyaml-dev)
read -r cjson_src cjson_ver < <(debsrc_of libcjson-dev)
read -r pcre2_src pcre2_ver < <(debsrc_of libpcre2-dev)
read -r curl_src curl_ver < <(debsrc_of libcurl4-openssl-dev)
read -r ar_src ar_ver < <(debsrc_of libarchive-dev)

# The sources first, one download at a time (one apt state).
yaml_dir=$(debsrc_fetch "$yaml_src" "$yaml_ver")
cjson_dir=$(debsrc_fetch "$cjson_src" "$cjson_ver")
pcre2_dir=$(debsrc_fetch "$pcre2_src" "$pcre2_ver")
curl_dir=$(debsrc_fetch "$curl_src" "$curl_ver")
ar_dir=$(debsrc_fetch "$ar_src" "$ar_ver")

# The two long ones first.
# libarchive: a DLL that writes tar (pax) and nothing else; only the DLL
# target (not its static twin), its two headers and its pkg-config file.
BUILD_TARGET=archive INSTALL='mkdir -p "$prefix/bin" "$prefix/include" "$prefix/lib/pkgconfig" &&
	cp bin/libarchive.dll "$prefix/bin/" &&
	cp "$ar_dir/libarchive/archive.h" "$ar_dir/libarchive/archive_entry.h" "$prefix/include/" &&
	cp build/pkgconfig/libarchive.pc "$prefix/lib/pkgconfig/"' \
cross_cmake libarchive "$ar_dir" -DBUILD_SHARED_LIBS=ON -DENABLE_TEST=OFF \
	-DENABLE_INSTALL=OFF \
	-DENABLE_TAR=OFF -DENABLE_CPIO=OFF -DENABLE_CAT=OFF -DENABLE_ZLIB=OFF \
	-DENABLE_BZip2=OFF -DENABLE_LZMA=OFF -DENABLE_LZ4=OFF -DENABLE_ZSTD=OFF \
	-DENABLE_LIBXML2=OFF -DENABLE_EXPAT=OFF -DENABLE_OPENSSL=OFF \
	-DENABLE_MBEDTLS=OFF -DENABLE_NETTLE=OFF -DENABLE_CNG=OFF \
	-DENABLE_LIBB2=OFF -DENABLE_ICONV=OFF -DENABLE_ACL=OFF -DENABLE_XATTR=OFF \
	-DENABLE_PCREPOSIX=OFF -DENABLE_LZO=OFF -DENABLE_WERROR=OFF
# libcurl: a DLL with Schannel and nothing but http(s).
cross_cmake curl "$curl_dir" -DBUILD_SHARED_LIBS=ON -DBUILD_CURL_EXE=OFF \
	-DBUILD_TESTING=OFF -DCURL_USE_SCHANNEL=ON -DCURL_USE_OPENSSL=OFF \
	-DCURL_ZLIB=OFF -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DUSE_NGHTTP2=OFF \
	-DUSE_LIBIDN2=OFF -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBPSL=OFF \
	-DCURL_DISABLE_LDAP=ON -DCURL_DISABLE_LDAPS=ON -DCURL_DISABLE_FTP=ON \
	-DCURL_DISABLE_FILE=ON -DCURL_DISABLE_TELNET=ON -DCURL_DISABLE_DICT=ON \
	-DCURL_DISABLE_TFTP=ON -DCURL_DISABLE_RTSP=ON -DCURL_DISABLE_POP3=ON \
	-DCURL_DISABLE_IMAP=ON -DCURL_DISABLE_SMTP=ON -DCURL_DISABLE_GOPHER=ON \
	-DCURL_DISABLE_MQTT=ON -DCURL_DISABLE_SMB=ON -DENABLE_MANUAL=OFF \
	-DCURL_CA_BUNDLE=none -DCURL_CA_PATH=none -DENABLE_UNICODE=OFF \
	-DPICKY_COMPILER=OFF
# libyaml and PCRE2 are static: their headers must be told so (or they
# declare dllimport), and libyaml's CMake build writes no yaml-0.1.pc.
INSTALL='cmake --install . && printf "%s\n" "prefix=$prefix" \
	"Name: yaml" "Description: libyaml (static, mingw-w64)" \
	"Version: ${yaml_ver%%-*}" "Libs: -L\${prefix}/lib -lyaml" \
	"Cflags: -I\${prefix}/include -DYAML_DECLARE_STATIC" \
	>"$prefix/lib/pkgconfig/yaml-0.1.pc"' \
cross_cmake libyaml "$yaml_dir" -DBUILD_SHARED_LIBS=OFF -DBUILD_TESTING=OFF \
	-DINSTALL_CMAKE_DIR=lib/cmake/yaml
cross_cmake cjson "$cjson_dir" -DBUILD_SHARED_LIBS=OFF -DENABLE_CJSON_TEST=OFF \
	-DENABLE_CJSON_UTILS=OFF -DENABLE_CUSTOM_COMPILER_FLAGS=OFF
INSTALL='cmake --install . && sed -i "s/^Cflags: .*/& -DPCRE2_STATIC/" \
	"$prefix/lib/pkgconfig/libpcre2-8.pc"' \
cross_cmake pcre2 "$pcre2_dir" -DBUILD_SHARED_LIBS=OFF -DPCRE2_BUILD_PCRE2GREP=OFF \
	-DPCRE2_BUILD_TESTS=OFF -DPCRE2_SUPPORT_JIT=OFF -DPCRE2_BUILD_PCRE2_8=ON \
	-DPCRE2_BUILD_PCRE2_16=OFF -DPCRE2_BUILD_PCRE2_32=OFF

# ---- mixcompose ------------------------------------------------------------
# The schema tree is generated by a host build of schema_gen.
# (meanwhile the libraries build).
echo "== schema_gen (host)"
cmake -S "$top" -B "$out/host" -DCMAKE_BUILD_TYPE=Release \
	-DMIXCOMPOSE_TESTS=OFF >/dev/null
cmake --build "$out/host" --target schema_gen -j "$jobs" >/dev/null
finish_libs
lib_pids=()

echo "== mixcompose.exe"
PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig PKG_CONFIG_PATH= \
	cmake -S "$top" -B "$out/mixcompose" \
	-DCMAKE_TOOLCHAIN_FILE="$toolchain" -DMIXCOMPOSE_WIN_PREFIX="$prefix" \
	-DCMAKE_BUILD_TYPE=Release -DMIXCOMPOSE_WERROR=ON \
	-DMIXCOMPOSE_TESTS=OFF -DMIXCOMPOSE_WINE_TESTS=ON \
	-DMIXCOMPOSE_SCHEMA_GEN="$out/host/schema_gen" >/dev/null
cmake --build "$out/mixcompose" -j "$jobs"

# ---- the zip ----------------------------------------------------------------
version=$(sed -n 's/^project(mixcompose VERSION \([^ ]*\).*/\1/p' "$top/CMakeLists.txt")
name=mixcompose-$version-windows-x86_64
stage=$out/zip/$name
rm -rf "$out/zip" && mkdir -p "$stage"
cp "$out/mixcompose/mixcompose.exe" "$stage/"
# The names mixcompose loads (compat_dl_name): libcurl-4.dll, libarchive-13.dll.
cp "$prefix/bin/libcurl.dll" "$stage/libcurl-4.dll"
cp "$prefix/bin/libarchive.dll" "$stage/libarchive-13.dll"
$triple-strip "$stage"/*.exe "$stage"/*.dll
cp "$top/README.md" "$stage/README.md"
for f in "$top"/LICENSE*; do [ -e "$f" ] && cp "$f" "$stage/"; done
# The same bytes for the same inputs: every entry dated by the last commit,
# no extra attributes.
stamp=$(git -C "$top" log -1 --format=%cd --date=format:%Y%m%d%H%M.%S 2>/dev/null ||
	date +%Y%m%d%H%M.%S)
find "$stage" -exec touch -t "$stamp" {} +
rm -f "$out/$name.zip"
(cd "$out/zip" && find "$name" | LC_ALL=C sort | zip -qX -@ "$out/$name.zip")
echo "$out/$name.zip ($(du -k "$out/$name.zip" | cut -f1) KiB)"
