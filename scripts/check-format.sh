#!/usr/bin/env bash
# Fails when a C++ file is not formatted with the project's .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror 2>&1 | grep -c "error:" || true)
if [ "$bad" != "0" ]; then
  git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror 2>&1 | grep "error:" | head -20
  echo "clang-format: $bad places need formatting; run: git ls-files '*.cc' '*.h' | xargs clang-format -i"
  exit 1
fi
echo "clang-format: all files formatted"
