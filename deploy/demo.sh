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
# Location by reference and events: a token key and a JSON Lines events file.
key=$PWD/build/demo-token.key
[ -s "$key" ] || head -c 32 /dev/urandom >"$key"
chmod 600 "$key"
cat >build/demo-lisd.yaml <<YAML
listen:
  - {http: "127.0.0.1:$port"}
db: $PWD/$db
public_url: http://127.0.0.1:$port
token: {key_file: $key, lifetime: 30m}
events: {file: $PWD/build/demo-events.jsonl}
YAML
build/lisd --config build/demo-lisd.yaml 2>build/demo-lisd.log &
lisd_pid=$!
trap 'kill $lisd_pid 2>/dev/null; wait $lisd_pid 2>/dev/null' EXIT
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
cmd="build/heldq http://127.0.0.1:$port/held --chassis 00-1b-21-3c-4d-00 --port Gi1/0/7"
echo
echo "lisd is serving the demo wiremap on http://127.0.0.1:$port"
echo "(config: build/demo-lisd.yaml, log: build/demo-lisd.log, events: build/demo-events.jsonl)."
echo "A phone on switch 00-1b-21-3c-4d-00 port Gi1/0/7 asks where it is:"
echo
echo "  \$ $cmd"
$cmd
uri=$($cmd --raw | sed -n 's|.*<locationURI>\([^<]*\)</locationURI>.*|\1|p' | head -1)
if [ -n "$uri" ]; then
  echo
  echo "The answer carries a location URI. A call router dereferences it when 933 is dialled:"
  echo
  echo "  \$ curl -s '$uri?format=text&dialed=933&caller=tel:%2B14085551234'"
  curl -s "$uri?format=text&dialed=933&caller=tel:%2B14085551234"
  echo
  echo
  echo "and the test-call alert is in build/demo-events.jsonl:"
  echo
  tail -1 build/demo-events.jsonl
fi
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
