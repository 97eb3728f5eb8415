#!/usr/bin/env bash
# Checks `mixcompose translate --to kubernetes` against Kubernetes' own
# OpenAPI schemas, as the npm package kubernetes-models carries them
# (there is no cluster here): the golden files of tests/fixtures/translate
# and a fresh translation of every sample.  The packages are installed with
# npm at test time into build/k8s-validate (scripts/k8s/package.json).
# usage: scripts/k8s_check.sh [BUILD_DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
dir=$build/k8s-validate
mkdir -p "$dir"
cp "$top/scripts/k8s/package.json" "$top/scripts/k8s/validate.mjs" "$dir/"
if [ ! -d "$dir/node_modules/kubernetes-models" ]; then
	(cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for s in "$top"/samples/*/compose.yaml; do
	name=$(basename "$(dirname "$s")")
	# Nothing is asked of a daemon: translate only reads the files.
	env -u DOCKER_DEFAULT_PLATFORM "$build/mixcompose" -f "$s" translate \
		--to kubernetes -o "$out/$name.yaml" 2>/dev/null
done
node "$dir/validate.mjs" "$top"/tests/fixtures/translate/golden/*.k8s.yaml \
	"$out"/*.yaml
# The check itself must be able to fail: a port given as text is refused.
sed 's/containerPort: 80$/containerPort: "80"/' \
	"$top/tests/fixtures/translate/golden/lab.k8s.yaml" >"$out/broken.yaml"
if node "$dir/validate.mjs" "$out/broken.yaml" >/dev/null 2>&1; then
	echo "k8s_check: a broken manifest passed the validator" >&2
	exit 1
fi
