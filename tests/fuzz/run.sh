#!/bin/sh
# tests/fuzz/run.sh SECONDS [HARNESS...]
#
# Builds the libFuzzer tree with clang (build-fuzz/ at the repo root, or
# $FUZZ_BUILD_DIR), fuzzes each harness (default: all) for SECONDS one after
# another, merges the new interesting inputs into tests/fuzz/corpus/<h>/
# (libFuzzer -merge=1: only inputs that add coverage), copies every crash,
# leak, timeout or OOM input into tests/fuzz/crashes/<h>/, and prints per
# harness: duration, total execs, execs/s, cov: and ft: of the final stats.
# A summary line per harness is appended to $FUZZ_BUILD_DIR/fuzz-results.tsv.
#
# ../shared/schemas/examples (LIS_SHARED_DIR, default ../shared) seeds the
# HELD harness at run time; nothing from it is copied into the repo unless
# a mutation of it adds coverage (then the minimised input is the project's).
#
# Exit status: 0 when no harness found a problem, 1 otherwise, 64 on usage.
set -eu

usage() { echo "usage: $0 SECONDS [held|deref|wiremap_yaml|wiremap_csv|config|token ...]" >&2; exit 64; }
[ $# -ge 1 ] || usage
SECS=$1; shift
case $SECS in ''|*[!0-9]*) usage ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
SHARED=${LIS_SHARED_DIR:-$ROOT/../shared}
ALL="held deref wiremap_yaml wiremap_csv config token"
[ $# -gt 0 ] && HARNESSES="$*" || HARNESSES=$ALL

for h in $HARNESSES; do
	case " $ALL " in *" $h "*) ;; *) echo "unknown harness: $h" >&2; usage ;; esac
done

CC=${CC:-clang}
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER="$CC" -DLIS_FUZZ=ON -DBUILD_TESTING=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIS_SHARED_DIR="$SHARED" >/dev/null
targets=""
for h in $HARNESSES; do targets="$targets --target fuzz_$h"; done
# shellcheck disable=SC2086
cmake --build "$BUILD" -j"$(nproc)" $targets

dict_of() {
	case $1 in
	held) echo "$HERE/dict/xml.dict" ;;
	deref) echo "$HERE/dict/deref.dict" ;;
	wiremap_yaml|config) echo "$HERE/dict/yaml.dict" ;;
	wiremap_csv) echo "$HERE/dict/csv.dict" ;;
	*) echo "" ;;
	esac
}
max_len_of() {
	case $1 in
	held|wiremap_yaml|config) echo 16384 ;;
	token) echo 1700 ;;
	*) echo 4096 ;;
	esac
}

# Re-minimises corpus/<h> together with the new inputs in $work/new
# (libFuzzer -merge=1 into an empty dir keeps a small set with the same edge
# coverage; -use_counters=0 so hit counts do not multiply the files: the
# saved corpus stays a few hundred files that replay in well under a second). Hand-written seeds (any name that is not a 40-hex SHA-1) stay
# under their own names; merged inputs are named by their SHA-1.
minimise() {
	h=$1 bin=$2 work=$3
	mkdir -p "$work/min"
	if ! "$bin" -merge=1 -use_counters=0 -rss_limit_mb=2048 -timeout=10 -max_len="$(max_len_of "$h")" \
		"$work/min" "$HERE/corpus/$h" "$work/new" >"$work/merge.log" 2>&1; then
		echo "   merge failed (corpus unchanged): see $work/merge.log"
		bad=1
		return 0
	fi
	for f in "$HERE/corpus/$h"/*; do
		[ -f "$f" ] || continue
		b=$(basename "$f")
		if printf '%s' "$b" | grep -Eq '^[0-9a-f]{40}$'; then
			rm -f "$f"
		else
			rm -f "$work/min/$(sha1sum <"$f" | cut -c1-40)"
		fi
	done
	find "$work/min" -maxdepth 1 -type f -exec mv {} "$HERE/corpus/$h/" \;
}

failed=0
summary=""
for h in $HARNESSES; do
	bin="$BUILD/tests/fuzz/fuzz_$h"
	work=$(mktemp -d "${TMPDIR:-/tmp}/openlis-fuzz-$h.XXXXXX")
	mkdir -p "$work/new" "$work/art" "$HERE/corpus/$h" "$HERE/crashes/$h"
	seeds="$HERE/corpus/$h"
	if [ "$h" = held ] && [ -d "$SHARED/schemas/examples" ]; then
		seeds="$seeds $SHARED/schemas/examples"
	fi
	dict=$(dict_of "$h")
	echo "== fuzz_$h: ${SECS}s"
	start=$(date +%s)
	set +e
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
		-max_len="$(max_len_of "$h")" ${dict:+-dict="$dict"} \
		-print_final_stats=1 -artifact_prefix="$work/art/" \
		"$work/new" $seeds "$HERE/crashes/$h" >"$work/log" 2>&1
	rc=$?
	set -e
	dur=$(( $(date +%s) - start ))
	tail -n 25 "$work/log" | grep -E '^(==|SUMMARY|ERROR|stat::|Done)' || true

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+' "$work/log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -Eo 'ft: [0-9]+' "$work/log" | tail -n 1 | cut -d' ' -f2)

	ncrash=0
	for f in "$work"/art/*; do
		[ -e "$f" ] || continue
		cp "$f" "$HERE/crashes/$h/"
		ncrash=$((ncrash + 1))
		echo "   reproducer: tests/fuzz/crashes/$h/$(basename "$f")"
	done
	bad=0
	if [ "$rc" -ne 0 ] || [ "$ncrash" -gt 0 ]; then
		bad=1
		failed=1
		cp "$work/log" "$BUILD/fuzz_$h.log"
		echo "   FAILED (exit $rc); log: $BUILD/fuzz_$h.log"
	fi

	before=$(find "$HERE/corpus/$h" -type f | wc -l)
	minimise "$h" "$bin" "$work"
	after=$(find "$HERE/corpus/$h" -type f | wc -l)
	echo "   corpus/$h: $before -> $after files"

	line=$(printf '%s\t%ss\texecs=%s\texec/s=%s\tcov=%s\tft=%s\tcorpus=%s\tcrashes=%s' \
		"$h" "$dur" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$after" "$ncrash")
	echo "   $line"
	printf '%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$line" >>"$BUILD/fuzz-results.tsv"
	summary="$summary$line
"
	[ "$bad" -ne 0 ] || rm -rf "$work"
done

echo
echo "harness	duration	execs	exec/s	cov	ft	corpus	crashes"
printf '%s' "$summary"
exit $failed
