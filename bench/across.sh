#!/usr/bin/env bash
# The pages across accounts (/contacts, /users, /billing, /audit) on a seeded database,
# without the object cache, as a superuser and as a staff member of one account:
#  - every URL of a fixed set of filters, sorts and searches (and the second page of
#    each) loaded once, its time printed (the first view), then the slowest and median;
#  - wrk (16 connections, 2 threads) with bench/random.lua picking one of those URLs at
#    random for every request: requests/s and p99.
# Run it at ACCOUNTS=1000 and ACCOUNTS=1000000 to compare: keyset paging should keep
# them close.
#
#   bench/across.sh [sqlite|postgres|both]     (default: both)
#
# Environment as bench/run.sh: ACCOUNTS (default 1000000), DURATION (default 10s),
# PG_ADMIN_URL, PORT, REUSE=1, BIN (a binary to measure instead of building one). Needs
# wrk, curl and bc.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

BACKENDS=${1:-both}
ACCOUNTS=${ACCOUNTS:-1000000}
DURATION=${DURATION:-10s}
PORT=${PORT:-18182}
export SMARTER_CACHE_TTL_SECONDS=0

bench_setup

get() { curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$1"; }

# The URLs to load: each base URL and, where there is one, its next page.
url_set() { # file with one path per line
  local out=$1 number=$2 year_ago today
  today=$(date -u +%F)
  year_ago=$(date -u -d '-360 days' +%F)
  : >"$out"
  for path in \
    /contacts /contacts?sort=-created /contacts?sort=email "/contacts?q=son" "/contacts?q=zzqx" \
    "/contacts?primary=yes&sort=-email" "/contacts?account=$number" \
    /users "/users?q=user1" "/users?staff=yes&active=yes" "/users?per_page=100" \
    /billing "/billing?provider=openai&charge_type=tool" "/billing?account=$number" "/billing?from=$year_ago&to=$today" \
    /audit "/audit?object_type=account&action=create" "/audit?account=$number" "/audit?actor=seed-demo" \
    "/audit?from=$year_ago&to=$year_ago"; do
    echo "$path" >>"$out"
    local next
    next=$(get "$path" | grep -o 'rel="next" href="[^"]*"' | head -n1 | sed 's/.*href="//; s/"$//; s/&amp;/\&/g; s/&#38;/\&/g' || true)
    [ -n "$next" ] && echo "$next" >>"$out"
  done
  return 0
}

first_views() { # who file
  local times=() t status
  while read -r path; do
    read -r status t < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$path")
    [ "$status" = 200 ] || [ "$status" = 403 ] || echo "  $path answered $status"
    printf '  %-70s %4s %7.1f ms\n' "${path:0:70}" "$status" "$(echo "$t * 1000" | bc)"
    times+=("$t")
  done <"$2"
  printf '%s first views: %s URLs, median %.1f ms, slowest %.1f ms\n' "$1" "${#times[@]}" \
    "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] * 1000}')" \
    "$(printf '%s\n' "${times[@]}" | sort -n | tail -n1 | awk '{print $1 * 1000}')"
}

random_load() { # who file
  local out
  out=$(URLS=$2 wrk -t2 -c16 -d"$DURATION" --latency -s bench/random.lua -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT")
  printf '%s random mix: %s req/s, p50 %s, p99 %s %s\n' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")" \
    "$(awk '/Non-2xx/ {print "(" $5 " non-2xx)"}' <<<"$out")"
}

bench_one() {
  BACKEND=$1
  bench_database "$BACKEND"
  serve_signed_in "$BIN" "$URL" "$PORT" "$WORK/server.log"
  local number
  number=$(get /accounts | grep -o 'href="/accounts/[0-9-]\{14\}' | sed -n 2p | grep -o '[0-9-]\{14\}')
  # A staff member of that one account (created once; a reused database has them).
  DATABASE_URL=$URL SMARTER_NEW_PASSWORD=$BENCH_PASSWORD RUST_LOG=error "$BIN" create-user \
    --username benchstaff --staff --account "$number" >/dev/null 2>&1 || true
  printf '\n%s: %s accounts seeded %s, without the object cache\n' "$BACKEND" "$ACCOUNTS" "$SEEDED"
  url_set "$WORK/urls" "$number"
  first_views superuser "$WORK/urls"
  random_load superuser "$WORK/urls"
  stop_server
  BENCH_USER=benchstaff serve_signed_in "$BIN" "$URL" "$PORT" "$WORK/server.log"
  grep -E '^/(contacts|billing)' "$WORK/urls" >"$WORK/staff-urls"
  first_views staff "$WORK/staff-urls"
  random_load staff "$WORK/staff-urls"
  stop_server
}

on_backends "$BACKENDS"
