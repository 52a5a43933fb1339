#!/usr/bin/env bash
# The speed benchmark: seed N demo accounts, sign in, and load the list, a
# search and a detail page with wrk (16 connections, 2 threads), printing requests/s,
# p50, p99 and the server's peak memory, on SQLite and on PostgreSQL.
#
#   bench/run.sh [sqlite|postgres|both]      (default: both)
#
# Environment: ACCOUNTS (default 100000), DURATION (wrk -d, default 15s),
# PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), PORT (18181),
# SMARTER_CACHE_TTL_SECONDS (passed to the server; 0 measures without the object cache),
# REUSE=1 (measure the database a previous run seeded with the same ACCOUNTS instead of
# seeding it again: they are kept, SQLite in target/bench/, PostgreSQL as
# smarter_bench_<ACCOUNTS>).
# BIN=PATH measures that binary instead of building one.
# Needs wrk and curl (Debian: apt-get install wrk curl).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

BACKENDS=${1:-both}
ACCOUNTS=${ACCOUNTS:-100000}
DURATION=${DURATION:-15s}
PORT=${PORT:-18181}
REUSE=${REUSE:-0}

bench_setup

run_wrk() { # name url
  local out
  curl -s -o /dev/null -H "Cookie: $COOKIE" "$2" # one warm-up request: the first view of a page fills the cache
  out=$(wrk -t2 -c16 -d"$DURATION" --latency -H "Cookie: $COOKIE" "$2")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '| %-8s | %-7s | %10s | %8s | %8s | %s\n' "$BACKEND" "$1" "$rps" "$p50" "$p99" "${non2xx:+$non2xx non-2xx}"
}

bench_one() {
  BACKEND=$1
  bench_database "$BACKEND"
  serve_signed_in "$BIN" "$URL" "$PORT" "$WORK/server.log"
  local number
  number=$(curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/accounts" | grep -o 'href="/accounts/[0-9-]\{14\}' | head -n1 | grep -o '[0-9-]\{14\}')
  printf '\n%s: %s accounts seeded %s; detail page %s\n' "$BACKEND" "$ACCOUNTS" "$SEEDED" "$number"
  printf '| backend  | page    |  req/s     | p50      | p99      |\n|----------|---------|------------|----------|----------|\n'
  run_wrk list "http://127.0.0.1:$PORT/accounts"
  run_wrk search "http://127.0.0.1:$PORT/accounts?q=robotics"
  run_wrk detail "http://127.0.0.1:$PORT/accounts/$number"
  stop_server
}

on_backends "$BACKENDS"
