#!/usr/bin/env bash
# The main job on the example: a real reset, end to end. Starts a Redis server on 127.0.0.1:6390
# with an ACL user `orders`, writes the application's config files holding its password, then:
# rekey validate -> plan -> adopt -> run (rotate) -> proves the old password is rejected by Redis
# -> run (contain) -> status -> audit verify. Stops Redis by its PID at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$(nproc)" --target rekey >/dev/null
rekey="$PWD/build/release/src/cli/rekey"
inventory=examples/inventory.yaml
demo=/tmp/rekey-demo

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
stop_redis() { [ -f "$demo/redis.pid" ] && kill "$(cat "$demo/redis.pid")" 2>/dev/null || true; }
trap stop_redis EXIT

stop_redis
rm -rf "$demo" && mkdir -p "$demo/bin" && chmod 700 "$demo"
cp examples/bin/* "$demo/bin/"
head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$demo/redis-admin"
initial=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
chmod 600 "$demo/redis-admin"
printf 'port 6390\nbind 127.0.0.1\ndaemonize yes\npidfile %s/redis.pid\ndir %s\nsave ""\nrequirepass %s\n' \
  "$demo" "$demo" "$(cat "$demo/redis-admin")" >"$demo/redis.conf"
redis-server "$demo/redis.conf" >/dev/null
for _ in $(seq 50); do redis-cli -p 6390 PING >/dev/null 2>&1 && break; sleep 0.1; done
printf 'ACL SETUSER orders on >%s ~orders:* +@all\n' "$initial" |
  REDISCLI_AUTH=$(cat "$demo/redis-admin") redis-cli --no-auth-warning -p 6390 >/dev/null
printf '# orders worker\nREDIS_HOST=127.0.0.1\nREDIS_PASSWORD=%s\n' "$initial" >"$demo/app.env"
printf '{\n  "cache": { "host": "127.0.0.1", "password": "%s" },\n  "workers": 4\n}\n' "$initial" \
  >"$demo/settings.json"
chmod 600 "$demo/app.env" "$demo/settings.json"
export REKEY_STATE_DIR="$demo/state"

say "validate"
"$rekey" validate --inventory "$inventory"
say "plan (rotate)"
"$rekey" plan --inventory "$inventory" orders-cache-user
say "init, and adopt the password the app holds today"
"$rekey" init
"$rekey" adopt --inventory "$inventory" orders-cache-user --from-holder env-file
say "run (rotate)"
"$rekey" run --inventory "$inventory" orders-cache-user --reason "demo: routine rotation"
say "Redis now: the old password is rejected, the app's new one works"
printf 'AUTH orders %s\n' "$initial" | redis-cli -p 6390
printf 'AUTH orders %s\n' "$(sed -n 's/^REDIS_PASSWORD=//p' "$demo/app.env")" | redis-cli -p 6390
say "run (contain: as if the new password had leaked)"
"$rekey" run --inventory "$inventory" orders-cache-user --strategy contain \
  --reason "demo: leaked in a CI log"
say "runs and audit"
"$rekey" runs
"$rekey" audit verify
