#!/usr/bin/env bash
# One bulk action over 10 000 accounts: seeds 9 999 demo accounts (with the platform
# account, 10 000), signs in, and times `POST /accounts/bulk` with `all_matching=1` for
# `tag`, then `untag` (each changes every account: metadata, version, audit entry), on
# SQLite and on PostgreSQL. The bar is under 3 s each.
#
#   bench/bulk.sh [sqlite|postgres|both]      (default: both)
#
# Environment: PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres),
# PORT (18182). Needs curl.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

BACKENDS=${1:-both}
PORT=${PORT:-18182}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BIN=target/release/smarter-accounts
cargo build --release --quiet
WORK=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT

bulk() { # action tag
  local token took status
  token=$(curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/accounts" | grep -o 'name="csrf_token" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//')
  read -r status took < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Cookie: $COOKIE" \
    --data-urlencode "csrf_token=$token" --data-urlencode "all_matching=1" --data-urlencode "action=$1" \
    --data-urlencode "tag=$2" "http://127.0.0.1:$PORT/accounts/bulk")
  printf '| %-8s | %-6s | 10 000 | %6s s | %s |\n' "$BACKEND" "$1" "$took" "$status"
}

bench_one() {
  BACKEND=$1
  local url
  if [ "$BACKEND" = sqlite ]; then
    url="sqlite://$WORK/bulk.db"
  else
    url="${PG_ADMIN_URL%/*}/smarter_bench_bulk"
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS smarter_bench_bulk WITH (FORCE)" -c "CREATE DATABASE smarter_bench_bulk" >/dev/null
  fi
  DATABASE_URL=$url RUST_LOG=warn "$BIN" seed-demo --accounts 9999 --seed 1 2>/dev/null
  DATABASE_URL=$url SMARTER_NEW_PASSWORD=$BENCH_PASSWORD RUST_LOG=warn "$BIN" create-user --username bench --superuser 2>/dev/null
  serve_signed_in "$BIN" "$url" "$PORT" "$WORK/server.log"
  bulk tag Benchmark
  bulk untag Benchmark
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  SERVER=
}

printf '| backend  | action | accounts | time | status |\n|----------|--------|----------|------|--------|\n'
case "$BACKENDS" in
  sqlite|postgres) bench_one "$BACKENDS" ;;
  both) bench_one sqlite; bench_one postgres ;;
  *) echo "usage: $0 [sqlite|postgres|both]"; exit 2 ;;
esac
