#!/usr/bin/env bash
# Publishing benchmark: 10,000 posts due in the same minute across 200 channels against a
# fake platform with 50 ms latency (in-process, loopback). Prints lateness percentiles,
# throughput as a ratio to the concurrency/latency bound, once-only counts, and idle CPU
# next to a polling baseline measured in the same process.
#
# Two runs: due times spread over the minute (what "the same minute" means for operators
# who schedule to the minute), then every post due at one instant (the worst case).
#
#   bash bench/publish/run.sh [posts] [channels] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet -p fanloop --example bench_publish
bench=target/release/examples/bench_publish
echo "== due times spread over one minute"
"$bench" "${1:-10000}" "${2:-200}" "${3:-256}" 60
echo
echo "== every post due at one instant"
"$bench" "${1:-10000}" "${2:-200}" "${3:-256}" 0
