#!/usr/bin/env bash
# Every filter × sort combination of the account list, each loaded once without the
# object cache (SMARTER_CACHE_TTL_SECONDS=0), so every view is a first view: status
# (any / active / inactive) × country (any / the commonest / the rarest) × tag (none /
# the commonest) × default account only (no / yes) × created in a month (no / yes) ×
# updated in a month (no / yes) × search (none / a broad word / a rare word / two
# letters) × the twelve sorts, 6 912 URLs at 50 a page. Prints how many there were,
# their median, 99th percentile and slowest time, the ten slowest URLs, any answer that
# was not 200, and the server's peak memory.
#
#   bench/combinations.sh [sqlite|postgres|both]      (default: both)
#
# Environment as bench/run.sh: ACCOUNTS (default 100000), PG_ADMIN_URL, PORT, REUSE=1,
# BIN; TIMES=path keeps every URL's time in path-<backend>-<accounts>. Needs curl,
# python3, sqlite3 and psql.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

BACKENDS=${1:-both}
ACCOUNTS=${ACCOUNTS:-100000}
PORT=${PORT:-18184}

command -v curl >/dev/null || { echo "needs curl"; exit 2; }
bench_setup

sql() { # query: one value a line, from the bench database
  if [ "$BACKEND" = sqlite ]; then sqlite3 "${URL#sqlite://}" "$1"; else psql "$URL" -tAc "$1"; fi
}

enc() { # text: as one URL query value
  python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
}

urls() { # the curl config: one URL and its output a combination
  local common rare tag broad narrow month
  common=$(sql "SELECT country FROM accounts GROUP BY country ORDER BY COUNT(*) DESC, country LIMIT 1")
  rare=$(sql "SELECT country FROM accounts GROUP BY country ORDER BY COUNT(*), country LIMIT 1")
  tag=$(enc "$(sql "SELECT t.name FROM tags t JOIN tagged_items i ON i.tag_id = t.id GROUP BY t.name ORDER BY COUNT(*) DESC, t.name LIMIT 1")")
  broad=robotics
  narrow=$(enc "$(sql "SELECT company_name FROM accounts ORDER BY id DESC LIMIT 1")")
  month=$(sql "SELECT substr(CAST(MAX(created_at) AS TEXT), 1, 7) FROM accounts")
  for active in "" yes no; do for country in "" "$common" "$rare"; do for t in "" "$tag"; do
    for default in "" yes; do for created in "" "$month"; do for updated in "" "$month"; do
      for q in "" "$broad" "$narrow" ab; do
        for sort in company_name -company_name city -city country -country created_at -created_at \
          updated_at -updated_at account_number -account_number; do
          local path="/accounts?per_page=50&sort=$sort&active=$active&country=$country&default=$default"
          path+="&tag=$t&q=$q"
          [ -n "$created" ] && path+="&created_from=$created-01&created_to=$created-28"
          [ -n "$updated" ] && path+="&updated_from=$updated-01&updated_to=$updated-28"
          printf 'url = "http://127.0.0.1:%s%s"\noutput = /dev/null\n' "$PORT" "$path"
        done
      done
    done; done; done
  done; done; done
}

bench_one() {
  BACKEND=$1
  bench_database "$BACKEND"
  SMARTER_CACHE_TTL_SECONDS=0 serve_signed_in "$BIN" "$URL" "$PORT" "$WORK/server.log"
  urls >"$WORK/urls"
  # One connection for all of them, as a browser keeps one.
  curl -s -K "$WORK/urls" -H "Cookie: $COOKIE" -w '%{time_total} %{http_code} %{url}\n' | sort -rn >"$WORK/times"
  printf '\n%s, %s accounts, first views without the cache:\n' "$BACKEND" "$ACCOUNTS"
  awk '{ t[NR] = $1 * 1000 } END {
    printf "%d URLs: median %.1f ms, p99 %.1f ms, slowest %.1f ms; over 20 ms: %d, over 50 ms: %d\n",
      NR, t[int(NR / 2) + 1], t[int(NR / 100) + 1], t[1], c20, c50 }
    $1 > 0.020 { c20++ } $1 > 0.050 { c50++ }' "$WORK/times"
  echo "the ten slowest:"
  head -n 10 "$WORK/times" | awk '{ printf "  %7.1f ms  %s\n", $1 * 1000, $3 }' | sed "s#http://127.0.0.1:$PORT##"
  awk '$2 != 200 { print "  answered " $2 ": " $3 }' "$WORK/times" | head -n 5
  [ -n "${TIMES:-}" ] && cp "$WORK/times" "$TIMES-$BACKEND-$ACCOUNTS"
  stop_server
}

on_backends "$BACKENDS"
