#!/usr/bin/env bash
# A CPU profile of one page under load, as a flame graph: the server (release build with
# frame pointers and line tables, in target/profiling) serves a database that
# bench/run.sh kept, wrk loads the page as bench/run.sh does, and `perf record` samples
# the server meanwhile (cpu-clock: this machine has no hardware counters).
#
#   bench/profile.sh sqlite|postgres PATH OUT.svg      e.g. bench/profile.sh sqlite /accounts list.svg
#
# Environment: ACCOUNTS (which kept database, default 100000), DURATION (default 10s),
# SMARTER_CACHE_TTL_SECONDS (default 60; 0 profiles without the object cache),
# PG_ADMIN_URL, PORT (18183). Needs perf (Debian: linux-perf), wrk, curl and inferno
# (cargo install inferno).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
BACKEND=$1 PAGE=$2 OUT=$3
ACCOUNTS=${ACCOUNTS:-100000}
DURATION=${DURATION:-10s}
PORT=${PORT:-18183}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
case "$BACKEND" in
  sqlite) URL="sqlite://$PWD/target/bench/bench-$ACCOUNTS.db" ;;
  postgres) URL="${PG_ADMIN_URL%/*}/smarter_bench_$ACCOUNTS" ;;
  *) echo "usage: $0 sqlite|postgres PATH OUT.svg"; exit 2 ;;
esac
RUSTFLAGS="-C force-frame-pointers=yes" CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
  cargo build --release --quiet --target-dir target/profiling
BIN=target/profiling/release/smarter-accounts
WORK=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
serve_signed_in "$BIN" "$URL" "$PORT" "$WORK/server.log"
curl -s -o /dev/null -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$PAGE"
perf record -q -F 1999 -e cpu-clock -g -p "$SERVER" -o "$WORK/perf.data" &
PERF=$!
wrk -t2 -c16 -d"$DURATION" -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$PAGE" | grep Requests/sec
kill -INT "$PERF"; wait "$PERF" || true
perf script -i "$WORK/perf.data" 2>/dev/null | inferno-collapse-perf > "$WORK/folded"
inferno-flamegraph --title "$BACKEND $PAGE ($ACCOUNTS accounts)" < "$WORK/folded" > "$OUT"
echo "flame graph: $OUT; the heaviest frames (share of samples, inclusive):"
awk '{n=$NF; $NF=""; total+=n; split($0, f, ";"); delete seen; for (i in f) if (!(f[i] in seen)) { seen[f[i]]=1; incl[f[i]]+=n } }
     END { for (k in incl) printf "%5.1f%%  %s\n", 100*incl[k]/total, k }' "$WORK/folded" | sort -rn | head -n 25
