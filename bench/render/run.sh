#!/usr/bin/env bash
# Render benchmark: a deterministic ~20,000-character Chinese article (headings, lists,
# code, tables, links, quotes) rendered to WeChat HTML by fanloop-render, against the
# Node pipeline markdown-it + highlight.js + juice on the same input with the same
# stylesheet, in the same run. Prints medians and the ratio.
#
#   bash bench/render/run.sh              # 500 Rust runs, 100 Node runs
#   RUNS=2000 NODE_RUNS=300 bash bench/render/run.sh
#
# Targets (issue 3): under 5 ms, and at least 10x the Node pipeline.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-500}"
NODE_RUNS="${NODE_RUNS:-100}"
out=bench/out/render
mkdir -p "$out"

cargo build --release --quiet -p fanloop-render --example bench_wechat
bin=target/release/examples/bench_wechat
"$bin" article > "$out/article.md"
chars=$(python3 -c 'import sys; print(len(open(sys.argv[1], encoding="utf-8").read()))' "$out/article.md")

read -r rust_ms rust_p90 rust_bytes < <("$bin" time "$out/article.md" "$RUNS")

node_ms="" node_p90="" node_bytes=""
if command -v node >/dev/null; then
  if [ ! -d bench/render/node_modules/juice ]; then
    (cd bench/render && npm install --no-audit --no-fund --silent)
  fi
  read -r node_ms node_p90 node_bytes < <(node bench/render/baseline.mjs "$out/article.md" \
    crates/fanloop-render/src/wechat/themes/default.css "$NODE_RUNS")
fi

echo "article: $chars characters of Markdown ($out/article.md)"
printf 'fanloop-render → WeChat HTML: median %s ms, p90 %s ms, %s bytes (%s runs)\n' \
  "$rust_ms" "$rust_p90" "$rust_bytes" "$RUNS"
if [ -n "$node_ms" ]; then
  printf 'markdown-it + highlight.js + juice (Node %s): median %s ms, p90 %s ms, %s bytes (%s runs)\n' \
    "$(node --version)" "$node_ms" "$node_p90" "$node_bytes" "$NODE_RUNS"
  python3 - "$rust_ms" "$node_ms" <<'PY'
import sys
rust, node = map(float, sys.argv[1:])
ratio = node / rust if rust else float("inf")
print(f"ratio: {ratio:.1f}x faster than the Node pipeline")
print("target < 5 ms:", "met" if rust < 5 else "NOT met")
print("target >= 10x:", "met" if ratio >= 10 else "NOT met")
PY
else
  echo "node not found: baseline skipped"
fi
