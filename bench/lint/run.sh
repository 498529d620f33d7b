#!/usr/bin/env bash
# Lint throughput: fanloop-text against npm `mint-filter` (Aho-Corasick in JavaScript)
# on the same generated dictionary (50,000 terms) and ~10 MB Chinese corpus, same run.
#
#   bash bench/lint/run.sh          # RUNS=5 by default; best run counts for each side
#
# Targets (issue 3): >= 100 MB/s on one core, >= 10x mint-filter, dictionary build
# < 100 ms. Needs cargo, node and npm; mint-filter is installed into bench/lint/node_modules.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-5}"
out="bench/out/lint"
mkdir -p "$out"

cargo build --release --quiet -p fanloop-text --example lint_bench
bench="${CARGO_TARGET_DIR:-target}/release/examples/lint_bench"
[ -d bench/lint/node_modules/mint-filter ] || (cd bench/lint && npm install --no-audit --no-fund --silent)

"$bench" generate "$out"
echo "== input: $(wc -l < "$out/dict.txt") terms, $(wc -c < "$out/corpus.txt") bytes of corpus"

echo "== fanloop-text (release, one thread)"
# Pin to one core where taskset exists: the figure is single-threaded by construction
# (lint runs on the calling thread), pinning only keeps the scheduler from moving it.
pin=(); command -v taskset >/dev/null && pin=(taskset -c 0)
ours=$("${pin[@]}" "$bench" measure "$out" "$RUNS")
echo "$ours"

echo "== mint-filter (node $(node --version))"
theirs=$(node bench/lint/mint.mjs "$out/dict.txt" "$out/corpus.txt" "$RUNS")
echo "$theirs"

field() { sed -nE "s/.* $1=([0-9.]+).*/\1/p" <<<"$2" | tail -1; }
our_mbps=$(field mb_per_s "$(grep ' lint ' <<<"$ours")")
their_mbps=$(field mb_per_s "$theirs")
our_cpu=$(field cpu_mb_per_s "$(grep ' lint ' <<<"$ours")")
their_cpu=$(field cpu_mb_per_s "$theirs")
build_ms=$(field build_ms "$(grep ' build ' <<<"$ours")")
builtin_ms=$(field build_ms "$(grep ' builtin ' <<<"$ours")")
echo "== summary"
awk -v o="$our_mbps" -v t="$their_mbps" -v oc="${our_cpu:-0}" -v tc="${their_cpu:-0}" -v b="$build_ms" -v bb="$builtin_ms" 'BEGIN {
  printf "wall clock: fanloop-text %.1f MB/s (target >= 100), mint-filter %.2f MB/s, ratio %.1fx (target >= 10x)\n", o, t, o / t
  if (oc > 0 && tc > 0) printf "CPU time:   fanloop-text %.1f MB/s, mint-filter %.2f MB/s, ratio %.1fx\n", oc, tc, oc / tc
  printf "dictionary load at start-up (built-in): %.2f ms (target < 100 ms); with the 50,000-term list: %.1f ms\n", bb, b
}'
