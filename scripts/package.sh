#!/usr/bin/env bash
# Builds the Debian package from this tree: build/mixcompose_<ver>_amd64.deb
# (binary, docker CLI plugin, man pages, completions, schema, samples).
# Install it with: apt-get install ./build/mixcompose_*_amd64.deb
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build-pkg
mkdir -p "$top/build"
cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIXCOMPOSE_TESTS=OFF \
	-DMIXCOMPOSE_WERROR=ON -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$dir" -j "$(nproc)" >/dev/null
rm -f "$dir"/mixcompose_*.deb
(cd "$dir" && cpack -G DEB >/dev/null)
deb=$(ls "$dir"/mixcompose_*.deb)
cp "$deb" "$top/build/"
echo "$top/build/$(basename "$deb")"
