#!/usr/bin/env bash
# Builds rekey with AddressSanitizer and UndefinedBehaviorSanitizer and runs every test (unit and
# integration, against real processes and servers started on loopback), then checks formatting.
# Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
cmake -S . -B build/asan -DREKEY_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build/asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure -j"$jobs"

scripts/check-format.sh
