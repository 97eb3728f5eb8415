#!/usr/bin/env bash
# The README's main job: install, build, start the two-daemon lab, bring up
# the mixed sample (NGINX on the "linux" daemon in front of the web app on
# the "windows" stand-in), and fetch the page through NGINX, which reaches
# the app by its service name across daemons.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/deps.sh
bash scripts/build.sh build RelWithDebInfo >/dev/null
# A dead lab (its daemons gone, its bridges and rules left) is cleared first.
lab/mixlab status >/dev/null 2>&1 || lab/mixlab down >/dev/null 2>&1 || true
lab/mixlab up
mc="build/mixcompose -f samples/lab/compose.yaml"

echo "== the plan"
$mc plan
echo "== up"
$mc up -d --wait
echo "== ps (both daemons)"
$mc ps
echo "== GET http://127.0.0.1:8080/ (nginx on 'linux' -> web on 'windows')"
for _ in $(seq 1 30); do
	if page=$(curl -fsS --max-time 2 http://127.0.0.1:8080/); then
		break
	fi
	sleep 0.5
done
printf '%s\n' "${page:?nginx did not answer}"
cat <<MSG

The project is up. To take it down, and then the lab:
    $mc down -v
    lab/mixlab down
MSG
