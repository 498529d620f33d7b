#!/usr/bin/env bash
# Whole-system benchmark of the foundation: cold start, idle memory, and authenticated
# API throughput against a trivial axum baseline measured in the same run.
#
#   bash bench/run.sh            # defaults: 10 s per load run, 64 connections
#   DURATION=30 CONNECTIONS=128 bash bench/run.sh
#
# Needs wrk (installed from the distribution's packages when missing). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
PORT="${PORT:-18180}"
BASE_PORT="${BASE_PORT:-18181}"

if ! command -v wrk >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi
cargo build --release --quiet -p fanloop --bin fanloop --example bench_baseline
bin=target/release/fanloop
baseline=target/release/examples/bench_baseline

data="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$data"; }
trap cleanup EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

echo "== cold start (empty data directory, release build)"
t0=$(now_ms)
RUST_LOG=warn "$bin" serve --data-dir "$data" --bind "127.0.0.1:$PORT" >/dev/null 2>&1 &
pid=$!; pids+=("$pid")
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do :; done
t1=$(now_ms)
cold=$(( t1 - t0 ))
echo "cold start to /readyz 200: ${cold} ms (target < 1000 ms)"

sleep 2
idle=$(rss_mb "$pid")
echo "idle resident memory: ${idle} MB (target < 50 MB)"

echo "== authenticated GET /api/v1/workspaces/{id}/channels"
echo 'bench password 123' | "$bin" admin create --data-dir "$data" --email bench@example.com --password-stdin 2>/dev/null
token=$("$bin" token create --data-dir "$data" --email bench@example.com --name bench 2>/dev/null)
api() { curl -sf -H "Authorization: Bearer $token" -H 'content-type: application/json' "$@"; }
ws=$(api -X POST "http://127.0.0.1:$PORT/api/v1/workspaces" -d '{"name":"压测品牌"}' | sed -E 's/.*"id":([0-9]+).*/\1/')
for i in 1 2 3 4 5; do
  api -X POST "http://127.0.0.1:$PORT/api/v1/workspaces/$ws/channels" -d "{\"platform\":\"sandbox\",\"name\":\"渠道 $i\"}" >/dev/null
done
url="http://127.0.0.1:$PORT/api/v1/workspaces/$ws/channels"
api "$url" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -H "Authorization: Bearer $token" "$url" >/dev/null   # warm-up
fan=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "$url")
loaded=$(rss_mb "$pid")

"$baseline" "127.0.0.1:$BASE_PORT" >/dev/null 2>&1 &
bpid=$!; pids+=("$bpid")
until curl -sf "http://127.0.0.1:$BASE_PORT/" >/dev/null 2>&1; do :; done
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$BASE_PORT/" >/dev/null
base=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$BASE_PORT/")

rps() { awk '/Requests\/sec/ { print $2 }' <<<"$1"; }
p99() { awk '$1 == "99%" { print $2 }' <<<"$1"; }
errors() { awk '/Non-2xx|Socket errors/ { print }' <<<"$1"; }
fan_rps=$(rps "$fan"); base_rps=$(rps "$base")
printf '%-28s %12s %10s\n' "" "requests/s" "p99"
printf '%-28s %12s %10s\n' "fanloop (auth + 2 queries)" "$fan_rps" "$(p99 "$fan")"
printf '%-28s %12s %10s\n' "baseline (trivial axum)" "$base_rps" "$(p99 "$base")"
awk -v f="$fan_rps" -v b="$base_rps" 'BEGIN { printf "ratio fanloop / baseline: %.2f (target: >= 10000 req/s, p99 < 20 ms)\n", f / b }'
errors "$fan"
echo "resident memory after load: ${loaded} MB"

# wrk prints latencies as 950.00us, 7.05ms or 1.02s; compare in milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else print v * 1000 }'; }
verdict() { if awk -v a="$2" -v op="$3" -v b="$4" 'BEGIN { exit !((op == "<") ? (a < b) : (a >= b)) }'; then echo "meets: $1"; else echo "MISSES: $1"; fi; }
echo "== targets"
verdict "cold start ${cold} ms < 1000 ms" "$cold" "<" 1000
verdict "idle memory ${idle} MB < 50 MB" "$idle" "<" 50
verdict "throughput ${fan_rps} req/s >= 10000" "$fan_rps" ">=" 10000
verdict "p99 $(p99 "$fan") < 20 ms" "$(to_ms "$(p99 "$fan")")" "<" 20
echo "(wrk: $THREADS threads, $CONNECTIONS connections, ${DURATION}s, on the same 2-core machine as the servers)"
