#!/usr/bin/env bash
# The main job on the example: build rekey, then validate and plan a reset of the example
# inventory's identity. (The durable executor, `rekey run`, turns this into a real reset.)
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$(nproc)" --target rekey >/dev/null
rekey=build/release/src/cli/rekey

"$rekey" validate --inventory examples/inventory.yaml
"$rekey" plan --inventory examples/inventory.yaml orders-cache-user --strategy rotate
