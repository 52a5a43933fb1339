# Shared by bench/run.sh and bench/profile.sh (sourced, not run).

# The password of the `bench` superuser that run.sh creates when it seeds.
BENCH_PASSWORD="benchmark password 1"

# serve_signed_in BIN DATABASE_URL PORT LOG: starts `BIN serve` in the background (its pid
# in SERVER, its log in LOG), waits for /healthz, signs in as BENCH_USER (default `bench`)
# with curl and leaves the session cookie header value in COOKIE.
serve_signed_in() {
  local bin=$1 url=$2 port=$3 log=$4 jar token
  DATABASE_URL=$url SMARTER_BIND=127.0.0.1:$port SMARTER_CACHE_TTL_SECONDS=${SMARTER_CACHE_TTL_SECONDS:-60} \
    RUST_LOG=warn "$bin" serve 2>"$log" &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  jar=$(mktemp)
  token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//')
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "username=${BENCH_USER:-bench}" --data-urlencode "password=$BENCH_PASSWORD" \
    --data-urlencode "csrf_token=$token" "http://127.0.0.1:$port/login"
  COOKIE="smarter_session=$(awk '$6=="smarter_session" {print $7}' "$jar")"
  rm -f "$jar"
}

# bench_database sqlite|postgres: the kept database of ACCOUNTS demo accounts (SQLite in
# KEEP, PostgreSQL as smarter_bench_<ACCOUNTS>), seeded now with a `bench` superuser
# unless REUSE=1. Leaves its URL in URL and how long seeding took in SEEDED. A reused
# PostgreSQL database is vacuumed and analysed first: the bench server runs without
# autovacuum, and the dead rows that earlier runs' posts left slow every later run.
bench_database() {
  local file="$KEEP/bench-$ACCOUNTS.db" pg_db="smarter_bench_$ACCOUNTS" started
  if [ "$1" = sqlite ]; then
    URL="sqlite://$PWD/$file"
  else
    URL="${PG_ADMIN_URL%/*}/$pg_db"
  fi
  SEEDED="(reused)"
  if [ "${REUSE:-0}" = 1 ]; then
    if [ "$1" = postgres ]; then psql "$URL" -qc "VACUUM ANALYZE" >/dev/null; fi
    return 0
  fi
  if [ "$1" = sqlite ]; then
    rm -f "$file" "$file-wal" "$file-shm"
  else
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" -c "CREATE DATABASE $pg_db" >/dev/null
  fi
  started=$(date +%s.%N)
  DATABASE_URL=$URL RUST_LOG=warn "$BIN" seed-demo --accounts "$ACCOUNTS" --seed 1 2>/dev/null
  SEEDED="in $(printf '%.1f' "$(echo "$(date +%s.%N) - $started" | bc)") s"
  DATABASE_URL=$URL SMARTER_NEW_PASSWORD=$BENCH_PASSWORD RUST_LOG=warn "$BIN" create-user --username bench --superuser 2>/dev/null
}

# stop_server: prints the server's peak resident memory, then stops it.
stop_server() {
  printf 'server peak memory (VmHWM): %s\n' "$(awk '/VmHWM/ {print $2 " " $3}' /proc/$SERVER/status)"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  SERVER=
}

# on_backends sqlite|postgres|both: runs bench_one (the caller's) on each.
on_backends() {
  case "$1" in
    sqlite|postgres) bench_one "$1" ;;
    both) bench_one sqlite; bench_one postgres ;;
    *) echo "usage: $0 [sqlite|postgres|both]"; exit 2 ;;
  esac
}

PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
KEEP=target/bench

# bench_setup: checks for wrk, builds the release binary unless BIN names one, makes a
# work folder (WORK) and stops a server started by the script (SERVER) when it exits.
# (`kill 0` would signal the script's whole process group: only a server it started.)
bench_setup() {
  command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)"; exit 1; }
  if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet
    BIN=target/release/smarter-accounts
  fi
  mkdir -p "$KEEP"
  WORK=$(mktemp -d)
  SERVER=
  trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
}
