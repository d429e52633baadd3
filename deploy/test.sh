#!/usr/bin/env bash
# The whole test suite: a normal build, then AddressSanitizer +
# UndefinedBehaviorSanitizer, each running every ctest test; then the
# integration tests once more with lisd and the CLI under valgrind memcheck
# (LIS_TEST_VALGRIND=1: any memcheck error or definite leak fails the test).
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
