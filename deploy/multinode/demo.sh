#!/usr/bin/env bash
# Two lisd nodes on loopback, one deployment: a shared token key, each its
# own database loaded by wiremap-sync.sh. A phone asks node A; a call router
# dereferences the location URI on node B (no balancer here: the demo talks
# to each node directly; haproxy.cfg shows the real front end).
#   deploy/multinode/demo.sh      (from the repository root; stops both nodes at the end)
#   PORT_A=8181 PORT_B=8182       (listen ports)
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/deps.sh
a=${PORT_A:-8181} b=${PORT_B:-8182}
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)" --target lisd wiremap heldq
run=$PWD/build/multinode
mkdir -p "$run"
key=$run/token.key
[ -s "$key" ] || head -c 32 /dev/urandom >"$key"
chmod 600 "$key"
WIREMAP=build/wiremap deploy/multinode/wiremap-sync.sh --replace deploy/demo-wiremap.yaml \
	-- "$run/a-db" "$run/b-db"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
for n in a b; do
	port=$a && [ $n = b ] && port=$b
	cat >"$run/$n.yaml" <<YAML
listen:
  - {http: "127.0.0.1:$port"}
db: $run/$n-db
public_url: http://127.0.0.1:$port
token: {key_file: $key, lifetime: 30m}
events: {file: $run/$n-events.jsonl}
YAML
	build/lisd --config "$run/$n.yaml" 2>"$run/$n.log" &
	pids+=($!)
done
for port in $a $b; do
	for _ in $(seq 50); do
		curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
		sleep 0.1
	done
done
echo
echo "node A: http://127.0.0.1:$a   node B: http://127.0.0.1:$b   (files in $run)"
echo "A phone asks node A where it is:"
cmd="build/heldq http://127.0.0.1:$a/held --chassis 00-1b-21-3c-4d-00 --port Gi1/0/7"
echo "  \$ $cmd"
uri=$($cmd --raw | sed -n 's|.*<locationURI>\([^<]*\)</locationURI>.*|\1|p' | head -1)
echo "  location URI: $uri"
token=${uri##*/loc/}
echo
echo "A call router reaches node B for the 911 call and dereferences the same token there:"
echo "  \$ curl -s 'http://127.0.0.1:$b/loc/$token?format=text&dialed=911'"
curl -s "http://127.0.0.1:$b/loc/$token?format=text&dialed=911"
echo
echo
echo "Node B wrote the Kari's Law alert ($run/b-events.jsonl):"
tail -1 "$run/b-events.jsonl"
