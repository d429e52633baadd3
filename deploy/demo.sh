#!/usr/bin/env bash
# The main job, on a fresh machine: install missing Debian packages, build,
# import deploy/demo-wiremap.yaml, start lisd on loopback and show a query.
#   deploy/demo.sh                 (from the repository root; Ctrl-C stops lisd)
#   DEMO_ONCE=1 deploy/demo.sh     (stop lisd after the sample query)
#   PORT=8080                      (listen port, default 8080)
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/deps.sh
port=${PORT:-8080}
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)" --target lisd wiremap heldq
db=build/demo-db
mkdir -p "$db"
build/wiremap import --db "$db" --replace deploy/demo-wiremap.yaml
build/lisd --db "$db" --listen 127.0.0.1:"$port" 2>build/demo-lisd.log &
lisd_pid=$!
trap 'kill $lisd_pid 2>/dev/null; wait $lisd_pid 2>/dev/null' EXIT
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
cmd="build/heldq http://127.0.0.1:$port/held --chassis 00-1b-21-3c-4d-00 --port Gi1/0/7"
echo
echo "lisd is serving the demo wiremap on http://127.0.0.1:$port (log: build/demo-lisd.log)."
echo "A phone on switch 00-1b-21-3c-4d-00 port Gi1/0/7 asks where it is:"
echo
echo "  \$ $cmd"
$cmd
echo
echo "Try also:"
echo "  build/heldq http://127.0.0.1:$port/held --bssid 00-11-22-33-44-6a --type civic --exact"
echo "  build/heldq http://127.0.0.1:$port/held --ip 10.20.31.77"
echo "  build/heldq http://127.0.0.1:$port/held --uri tel:+14085551299"
echo "  build/wiremap lookup --db $db --chassis 00-1b-21-3c-4d-00 --port Gi1/0/9"
echo "  curl -s http://127.0.0.1:$port/metrics"
[ -n "${DEMO_ONCE:-}" ] && exit 0
echo
echo "lisd keeps running; press Ctrl-C to stop it."
wait $lisd_pid
