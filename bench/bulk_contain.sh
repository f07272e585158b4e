#!/usr/bin/env bash
# bulk_contain: `rekey run --all --strategy contain` of N identities per system (default 1000),
# each with one file holder, with every verification and sessions ended, against real servers
# started by scripts/test-services; beside it, in the same run, a sequential shell script doing
# only the changes (redis-cli / psql, one call per identity, no verification). Prints identities
# per second and the ratio rekey / script per system.
# Run: bench/bulk_contain.sh [N] [SYSTEMS...]   (SYSTEMS: redis postgres; default both)
# REKEY_BENCH_STATE_ROOT=/dev/shm puts rekey's state directory (store, audit log) on tmpfs, where
# fsync costs nothing: the difference is what durability costs. REKEY_BENCH_WRAP="perf record -g
# -o /tmp/bulk.perf" runs the measured `rekey run` under a profiler. REKEY_BENCH_ACL_SAVE=1 gives
# the Redis system `acl_save: true` (the server keeps an ACL file, so each change is saved to it
# before its step ends; the script still does only the changes).
# Needs build/release (cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build ...).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
shift || true
systems=("${@:-redis postgres}")
read -r -a systems <<<"${systems[*]}"
rekey="$PWD/build/release/src/cli/rekey"
parallel=${REKEY_BENCH_PARALLEL:-48}
work=$(mktemp -d /tmp/rekey-bulk-XXXXXX)
chmod 711 "$work"
services="$work/services"
trap 'scripts/test-services --dir "$services" stop >/dev/null 2>&1; rm -rf "$work" \
  "${REKEY_BENCH_STATE_ROOT:-$work}"/rekey-bulk-state-$$-*' EXIT
scripts/test-services --dir "$services" start "${systems[@]}" >/dev/null
# KEY=VALUE lines; values may hold spaces (the DSN), so they are read, not sourced.
while IFS='=' read -r key value; do export "$key=$value"; done <"$services/env"
now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

# Creates N accounts with a known password and an inventory of one identity per account.
setup() {
  local sys=$1 dir="$work/$1" i
  mkdir -p "$dir/app"
  {
    echo "version: 1"
    echo "systems:"
    if [ "$sys" = redis ]; then
      echo "  sys: { type: redis, address: \"$REKEY_REDIS_ADDRESS\", admin_user: rekey-admin,"
      echo "         admin_secret: { file: $REKEY_REDIS_ADMIN_PASSWORD_FILE }, max_parallel: $parallel${REKEY_BENCH_ACL_SAVE:+, acl_save: true} }"
    else
      echo "  sys: { type: postgres, dsn: \"$REKEY_PG_DSN\","
      echo "         admin_secret: { file: $REKEY_PG_ADMIN_PASSWORD_FILE }, max_parallel: $parallel }"
    fi
    echo "  files: { type: file }"
    echo "identities:"
    for ((i = 0; i < n; i++)); do
      local key=$([ "$sys" = redis ] && echo user || echo role)
      echo "  id$i: { kind: password, issuers: [{ system: sys, $key: bulk_$i }],"
      echo "    holders: [{ name: env, system: files, path: $dir/app/$i.env, format: dotenv, key: PASSWORD }] }"
    done
  } >"$dir/inventory.yaml"
  for ((i = 0; i < n; i++)); do printf 'PASSWORD=initial-%s-value\n' "$i" >"$dir/app/$i.env"; done
  if [ "$sys" = redis ]; then
    for ((i = 0; i < n; i++)); do echo "ACL SETUSER bulk_$i on >initial-$i-value ~* +@all"; done |
      REDISCLI_AUTH=$(cat "$REKEY_REDIS_ADMIN_PASSWORD_FILE") redis-cli --no-auth-warning \
        -p "$REKEY_REDIS_PORT" --user rekey-admin >/dev/null
  else
    for ((i = 0; i < n; i++)); do echo "CREATE ROLE bulk_$i LOGIN PASSWORD 'initial-$i-value';"; done |
      PGPASSWORD=$(cat "$REKEY_PG_ADMIN_PASSWORD_FILE") psql -q "$REKEY_PG_DSN" >/dev/null
  fi
  export REKEY_STATE_DIR="${REKEY_BENCH_STATE_ROOT:-$dir}/rekey-bulk-state-$$-$sys"
  rm -rf "$REKEY_STATE_DIR"
  "$rekey" init >/dev/null
  for ((i = 0; i < n; i++)); do
    "$rekey" adopt -i "$dir/inventory.yaml" "id$i" --from-holder env >/dev/null
  done
}

# The baseline: one client call per identity, sequential, changes only.
script() {
  local sys=$1 i
  if [ "$sys" = redis ]; then
    for ((i = 0; i < n; i++)); do
      REDISCLI_AUTH=$(cat "$REKEY_REDIS_ADMIN_PASSWORD_FILE") redis-cli --no-auth-warning \
        -p "$REKEY_REDIS_PORT" --user rekey-admin ACL SETUSER "bulk_$i" resetpass ">script-$i" >/dev/null
      REDISCLI_AUTH=$(cat "$REKEY_REDIS_ADMIN_PASSWORD_FILE") redis-cli --no-auth-warning \
        -p "$REKEY_REDIS_PORT" --user rekey-admin CLIENT KILL USER "bulk_$i" >/dev/null
    done
  else
    for ((i = 0; i < n; i++)); do
      PGPASSWORD=$(cat "$REKEY_PG_ADMIN_PASSWORD_FILE") psql -q "$REKEY_PG_DSN" \
        -c "ALTER ROLE bulk_$i PASSWORD 'script-$i'" \
        -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'bulk_$i'" >/dev/null
    done
  fi
}

printf 'bulk contain: %d identities per system, rekey --parallel %d, one file holder each, state on %s\n' \
  "$n" "$parallel" "${REKEY_BENCH_STATE_ROOT:-$work}"
printf '%-10s %14s %14s %14s %8s\n' system "rekey ids/s" "script ids/s" "rekey s" ratio
for sys in "${systems[@]}"; do
  setup "$sys"
  t0=$(now)
  ${REKEY_BENCH_WRAP:-} "$rekey" run -i "$work/$sys/inventory.yaml" --all --strategy contain --parallel "$parallel" \
    --reason "bench" >"$work/$sys/run.log" 2>&1 || {
    echo "rekey run failed for $sys; see the tail:" >&2
    tail -20 "$work/$sys/run.log" >&2
    exit 1
  }
  t1=$(now)
  script "$sys"
  t2=$(now)
  r=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  s=$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')
  printf '%-10s %14s %14s %14.2f %7.1fx\n' "$sys" "$(rate "$n" "$r")" "$(rate "$n" "$s")" "$r" \
    "$(awk -v r="$r" -v s="$s" 'BEGIN { print s / r }')"
done
