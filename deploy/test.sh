#!/usr/bin/env bash
# The whole test suite: a normal build, then AddressSanitizer +
# UndefinedBehaviorSanitizer, each running every ctest test; then the
# integration tests once more with lisd and the CLI under valgrind memcheck
# (LIS_TEST_VALGRIND=1: any memcheck error or definite leak fails the test),
# and with a ThreadSanitizer build of lisd (LIS_TEST_LISD; any race report
# fails the run). Criterion itself cannot run under TSan, so only lisd is
# built with it.
#   deploy/test.sh            (from the repository root)
# SHARED=/path/to/shared overrides the contract folder (default ../shared).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/deps.sh --test
shared=${SHARED:-$(cd .. && pwd)/shared}
jobs=$(nproc)
run() {  # run NAME CMAKE-ARGS...
  local dir=build-test-$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DLIS_WERROR=ON -DLIS_SHARED_DIR="$shared" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  (cd "$dir" && ctest --output-on-failure -j"$jobs")
}
echo "== plain build"
run plain
echo "== AddressSanitizer + UndefinedBehaviorSanitizer"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run asan -DLIS_SANITIZE="address;undefined"
echo "== valgrind memcheck: the integration tests, lisd and the CLI under memcheck"
(cd build-test-plain && LIS_TEST_VALGRIND=1 ctest -L integration --output-on-failure -j"$jobs")
echo "== ThreadSanitizer: the integration tests against a TSan build of lisd"
cmake -S . -B build-test-tsan -DCMAKE_BUILD_TYPE=Debug -DLIS_WERROR=ON -DLIS_SHARED_DIR="$shared" \
  -DLIS_SANITIZE=thread >/dev/null
cmake --build build-test-tsan -j"$jobs" --target lisd
races=$PWD/build-test-tsan/races
rm -rf "$races" && mkdir -p "$races"
(cd build-test-plain && LIS_TEST_LISD=$PWD/../build-test-tsan/lisd \
  TSAN_OPTIONS="log_path=$races/race halt_on_error=0 second_deadlock_stack=1" \
  ctest -L integration --output-on-failure -j"$jobs")
if compgen -G "$races/race*" >/dev/null; then
  cat "$races"/race*
  echo "FAILED: ThreadSanitizer reported races in lisd (above)" >&2
  exit 1
fi
