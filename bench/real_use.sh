#!/usr/bin/env bash
# Speed under real use: each request picked at random (bench/random.lua) from a
# workload's URLs, on a seeded database, with the object cache in process, off, and in
# Redis. The workloads:
#   accounts  account pages spread over 3 000 different accounts
#   searches  list searches for 300 different words and word pairs from company names
#   lists     the list with random status / country / sort / per_page
#   mix       60 % account pages, 20 % lists, 15 % searches, 5 % activate/deactivate
#             posts (with the session's CSRF token)
# Prints requests/s, p50, p99, non-2xx/3xx answers and the server's peak memory.
#
#   bench/real_use.sh [sqlite|postgres|both]      (default: both)
#
# Environment as bench/run.sh: ACCOUNTS (default 100000), DURATION (default 10s),
# PG_ADMIN_URL, PORT, REUSE=1, BIN; MODES (default "on off redis"), REDIS (default
# redis://127.0.0.1:6379/15, a database the script empties before each Redis run).
# Needs wrk, curl, python3, sqlite3, psql and redis-cli.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

BACKENDS=${1:-both}
ACCOUNTS=${ACCOUNTS:-100000}
DURATION=${DURATION:-10s}
PORT=${PORT:-18183}
MODES=${MODES:-on off redis}
REDIS=${REDIS:-redis://127.0.0.1:6379/15}

bench_setup

sql() { # query: one value a line, from the bench database
  if [ "$BACKEND" = sqlite ]; then sqlite3 "${URL#sqlite://}" "$1"; else psql "$URL" -tAc "$1"; fi
}

workloads() { # the URL files, from the database
  sql "SELECT account_number FROM accounts WHERE NOT is_default_account ORDER BY random() LIMIT 3000" \
    | sed 's#^#/accounts/#' >"$WORK/accounts"
  # The demo names hold about 60 different words of four letters or more: those, then
  # the first two words of names ("Dunder Health"), 300 searches in all.
  names=$(sql "SELECT company_name FROM accounts ORDER BY random() LIMIT 20000")
  { tr ' ,.' '\n\n\n' <<<"$names" | grep -E '^[A-Za-z]{4,}$' | sort -u
    awk '{ print $1 "+" $2 }' <<<"$names" | grep -E '^[A-Za-z]+[+][A-Za-z]+$' | sort -u | shuf --random-source=<(yes)
  } | sed -n 1,300p | sed 's#^#/accounts?q=#' >"$WORK/searches"
  : >"$WORK/lists"
  for active in "" yes no; do
    for country in "" USA DEU JPN GBR FRA BRA IND; do
      for sort in company_name -company_name city -city country -country created_at -created_at updated_at -updated_at account_number -account_number; do
        for per_page in 25 50 100; do
          echo "/accounts?active=$active&country=$country&sort=$sort&per_page=$per_page" >>"$WORK/lists"
        done
      done
    done
  done
  : >"$WORK/mix"
  for _ in $(seq 1 100); do
    shuf -n 60 "$WORK/accounts"; shuf -n 20 "$WORK/lists"; shuf -n 15 "$WORK/searches"
    shuf -n 5 "$WORK/accounts" | awk 'NR % 2 { print "POST " $0 "/deactivate"; next } { print "POST " $0 "/activate" }'
  done >>"$WORK/mix"
}

load() { # mode workload
  local out
  out=$(URLS="$WORK/$2" CSRF=$CSRF wrk -t2 -c16 -d"$DURATION" --latency -s bench/random.lua -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT")
  printf '| %-10s | %-5s | %-8s | %9s | %8s | %8s | %s\n' "$BACKEND" "$1" "$2" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out")" "$(awk '/Non-2xx/ {print $5 " non-2xx/3xx"}' <<<"$out")"
}

bench_one() {
  BACKEND=$1
  bench_database "$BACKEND"
  printf '\n%s: %s accounts seeded %s\n' "$BACKEND" "$ACCOUNTS" "$SEEDED"
  printf '| backend    | cache | workload |     req/s |      p50 |      p99 |\n'
  for mode in $MODES; do
    export SMARTER_CACHE_TTL_SECONDS=60
    unset REDIS_URL
    [ "$mode" = off ] && SMARTER_CACHE_TTL_SECONDS=0
    if [ "$mode" = redis ]; then
      # Emptied first: what a run on the other backend left there (the generation,
      # list pages under the same keys) must not be served to this one.
      export REDIS_URL=$REDIS
      redis-cli -u "$REDIS" flushdb >/dev/null
    fi
    serve_signed_in "$BIN" "$URL" "$PORT" "$WORK/server.log"
    CSRF=$(curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/accounts" | grep -o 'name="csrf_token" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//')
    # Form-encoded, as a browser sends it (a token may hold + / =).
    CSRF=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$CSRF")
    [ -s "$WORK/mix" ] || workloads
    for workload in accounts searches lists mix; do
      load "$mode" "$workload"
    done
    stop_server
  done
  rm -f "$WORK/mix"
}

on_backends "$BACKENDS"
