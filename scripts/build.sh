#!/usr/bin/env bash
# Configures and builds mixcompose into build/ (or $1), warnings as errors.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build}
type=${2:-RelWithDebInfo}
cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DMIXCOMPOSE_WERROR=ON >/dev/null
cmake --build "$dir" -j "$(nproc)"
