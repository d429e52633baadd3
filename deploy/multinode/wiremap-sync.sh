#!/usr/bin/env bash
# wiremap-sync.sh — load the same wiremap into every node's database, then
# prove that every node holds the same data (deploy/multinode/README.md).
#
#   deploy/multinode/wiremap-sync.sh [--replace] [--tenant ID] FILE... -- NODE...
#
# NODE is a database directory on this machine (/var/lib/openlis/db) or on
# another one over ssh ([user@]host:/var/lib/openlis/db). The files are
# validated here first (wiremap import --dry-run): a broken file changes no
# node. Each node's import is one LMDB transaction and its lisd reloads by
# itself. Nodes are done in order; the first failure stops the run and says
# which nodes already have the new data. Then `wiremap export` of every node
# is compared (SHA-256): they must all be equal.
#
# Environment: WIREMAP, the wiremap command here (default: wiremap on PATH,
# else build/wiremap); REMOTE_WIREMAP, the command on ssh nodes (default:
# wiremap); SSH (default: ssh), SCP (default: scp).
#
# Exit status: 0 in sync; 64 usage; 65 the files are invalid (no node
# changed); 1 an import failed on a node; 2 the nodes differ afterwards.
set -uo pipefail

usage() {
	sed -n '4,6p' "$0" | sed 's/^# *//' >&2
	exit 64
}

here=$(cd "$(dirname "$0")/../.." && pwd)
wm=${WIREMAP:-$(command -v wiremap || echo "$here/build/wiremap")}
rwm=${REMOTE_WIREMAP:-wiremap}
ssh_cmd=${SSH:-ssh}
scp_cmd=${SCP:-scp}

opts=() files=() nodes=() tenant=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	case $1 in
	--replace) opts+=(--replace) ;;
	--tenant)
		[ $# -ge 2 ] || usage
		tenant=(--tenant "$2")
		shift
		;;
	-h | --help) usage ;;
	-*) echo "wiremap-sync: unknown option $1" >&2 && usage ;;
	*) files+=("$1") ;;
	esac
	shift
done
[ "${1:-}" = -- ] && shift
nodes=("$@")
[ ${#files[@]} -gt 0 ] && [ ${#nodes[@]} -gt 0 ] || usage
[ -x "$wm" ] || command -v "$wm" >/dev/null || {
	echo "wiremap-sync: no wiremap command ($wm); set WIREMAP" >&2
	exit 64
}

# A node is remote when it has a host part: "host:/path" (a local path
# never holds ':' before its first '/').
is_remote() { [[ $1 == *:* && ${1%%:*} != */* ]]; }

scratch=$(mktemp -d) || exit 1
trap 'rm -rf "$scratch"' EXIT

if ! "$wm" import --db "$scratch/db" --dry-run "${tenant[@]}" "${opts[@]}" "${files[@]}" \
	>"$scratch/check" 2>&1; then
	cat "$scratch/check" >&2
	echo "wiremap-sync: the files are invalid; no node was changed" >&2
	exit 65
fi

import_on() {
	local node=$1
	if ! is_remote "$node"; then
		"$wm" import --db "$node" "${tenant[@]}" "${opts[@]}" "${files[@]}"
		return
	fi
	local host=${node%%:*} db=${node#*:} dir rc
	dir=$("$ssh_cmd" "$host" mktemp -d) || return 1
	if "$scp_cmd" -q "${files[@]}" "$host:$dir/"; then
		local remote_files=() f
		for f in "${files[@]}"; do remote_files+=("$dir/$(basename "$f")"); done
		"$ssh_cmd" "$host" "$(printf '%q ' "$rwm" import --db "$db" "${tenant[@]}" \
			"${opts[@]}" "${remote_files[@]}")"
		rc=$?
	else
		rc=1
	fi
	"$ssh_cmd" "$host" rm -rf "$dir"
	return $rc
}

export_of() {
	local node=$1
	if is_remote "$node"; then
		"$ssh_cmd" "${node%%:*}" "$(printf '%q ' "$rwm" export --db "${node#*:}" "${tenant[@]}")"
	else
		"$wm" export --db "$node" "${tenant[@]}"
	fi
}

done_nodes=()
for node in "${nodes[@]}"; do
	echo "== $node"
	if ! import_on "$node"; then
		echo "wiremap-sync: the import failed on $node; nothing else was changed there." >&2
		if [ ${#done_nodes[@]} -gt 0 ]; then
			echo "wiremap-sync: already updated: ${done_nodes[*]}" >&2
		fi
		echo "wiremap-sync: fix it and run the same command again (imports are repeatable)" >&2
		exit 1
	fi
	done_nodes+=("$node")
done

first="" differ=0
for node in "${nodes[@]}"; do
	if ! sum=$(export_of "$node" | sha256sum | cut -d' ' -f1) || [ -z "$sum" ]; then
		echo "wiremap-sync: cannot export $node" >&2
		differ=1
		continue
	fi
	echo "$sum  $node"
	if [ -z "$first" ]; then
		first=$sum
	elif [ "$sum" != "$first" ]; then
		differ=1
	fi
done
if [ $differ -ne 0 ]; then
	echo "wiremap-sync: the nodes do not hold the same wiremap (see the sums above)" >&2
	exit 2
fi
echo "wiremap-sync: ${#nodes[@]} node(s) in sync"
