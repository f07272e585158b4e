#!/usr/bin/env bash
# The main job on the example: a real reset, end to end. Starts PostgreSQL and Redis on loopback
# (scripts/test-services), creates the service account `orders` in both (a PostgreSQL role and a
# Redis ACL user sharing one password), writes the application's config files holding it, then:
# validate -> plan -> adopt -> run (rotate) -> proves with psql and redis-cli that the old password
# is rejected and the new one works -> run (contain) -> runs -> audit verify. Stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$(nproc)" --target rekey >/dev/null
rekey="$PWD/build/release/src/cli/rekey"
demo=/tmp/rekey-demo
services="$demo/services"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
stop_servers() { scripts/test-services --dir "$services" stop >/dev/null 2>&1 || true; }
trap stop_servers EXIT

stop_servers
rm -rf "$demo" && mkdir -p "$demo/bin" && chmod 711 "$demo" # the servers' users pass through
cp examples/bin/* "$demo/bin/"
say "start PostgreSQL and Redis on loopback"
scripts/test-services --dir "$services" start postgres redis
# KEY=VALUE lines; values may hold spaces (the DSN), so they are read, not sourced.
while IFS='=' read -r key value; do export "$key=$value"; done <"$services/env"

# The account as it is before rekey: one password, in both servers and in the app's files.
initial=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
PGPASSWORD=$(cat "$REKEY_PG_ADMIN_PASSWORD_FILE") psql -q -v ON_ERROR_STOP=1 "$REKEY_PG_DSN" \
  <<<"CREATE ROLE orders_app LOGIN PASSWORD '$initial';"
printf 'ACL SETUSER orders-app on >%s ~orders:* +@all\n' "$initial" |
  REDISCLI_AUTH=$(cat "$REKEY_REDIS_ADMIN_PASSWORD_FILE") redis-cli --no-auth-warning \
    -p "$REKEY_REDIS_PORT" --user rekey-admin >/dev/null
printf '# orders worker\nORDERS_DB_HOST=127.0.0.1\nORDERS_PASSWORD=%s\n' "$initial" >"$demo/app.env"
printf '{\n  "db": { "host": "127.0.0.1", "password": "%s" },\n  "workers": 4\n}\n' "$initial" \
  >"$demo/settings.json"
chmod 600 "$demo/app.env" "$demo/settings.json"
inventory="$demo/inventory.yaml"
sed -e "s/port=5432/port=$REKEY_PG_PORT/" -e "s/127.0.0.1:6379/$REKEY_REDIS_ADDRESS/" \
  examples/inventory.yaml >"$inventory"
export REKEY_STATE_DIR="$demo/state"

# Whether PostgreSQL and Redis let orders in with PASSWORD, asked with their own clients.
check() {
  local pg redis
  pg=$(PGPASSWORD=$1 psql -tAc 'SELECT 1' "host=127.0.0.1 port=$REKEY_PG_PORT dbname=postgres \
    user=orders_app connect_timeout=5" 2>&1 | head -1 | sed 's/.*FATAL: *//' || true)
  redis=$(REDISCLI_AUTH=$1 redis-cli -p "$REKEY_REDIS_PORT" --user orders-app --no-auth-warning \
    PING 2>&1 | head -1 || true)
  printf '  %-12s postgres: %-55s redis: %s\n' "$2" "${pg/#1/accepted}" "${redis/#PONG/accepted}"
}

say "validate"
"$rekey" validate --inventory "$inventory"
say "plan (rotate)"
"$rekey" plan --inventory "$inventory" orders-svc
say "init, and adopt the password the app holds today"
"$rekey" init
"$rekey" adopt --inventory "$inventory" orders-svc --from-holder env-file
say "run (rotate)"
"$rekey" run --inventory "$inventory" orders-svc --reason "demo: routine rotation"
rotated=$(sed -n 's/^ORDERS_PASSWORD=//p' "$demo/app.env")
say "the servers now, asked with psql and redis-cli"
check "$initial" "old password"
check "$rotated" "new password"
say "run (contain: as if the new password had leaked)"
"$rekey" run --inventory "$inventory" orders-svc --strategy contain \
  --reason "demo: leaked in a CI log"
check "$rotated" "leaked one"
check "$(sed -n 's/^ORDERS_PASSWORD=//p' "$demo/app.env")" "current one"
say "runs and audit"
"$rekey" runs
"$rekey" audit verify
