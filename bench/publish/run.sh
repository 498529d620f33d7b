#!/usr/bin/env bash
# Publishing benchmark: 10,000 posts due in the same minute across 200 channels against a
# fake platform with 50 ms latency (in-process, loopback). Prints lateness percentiles,
# throughput as a ratio to the concurrency/latency bound, once-only counts, and idle CPU
# next to a polling baseline measured in the same process.
#
#   bash bench/publish/run.sh [posts] [channels] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo run --release --quiet -p fanloop --example bench_publish -- "${1:-10000}" "${2:-200}" "${3:-256}"
