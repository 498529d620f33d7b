#!/usr/bin/env bash
# Refreshes the vendored browser assets embedded in the binary. Run by hand when
# upgrading; the build itself never touches the network.
set -euo pipefail
HTMX_VERSION="${HTMX_VERSION:-2.0.11}"
dest="$(cd "$(dirname "$0")/.." && pwd)/crates/fanloop-web/assets/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack "htmx.org@${HTMX_VERSION}" >/dev/null
tar xzf htmx.org-*.tgz
cp package/dist/htmx.min.js "$dest/htmx.min.js"
cp package/LICENSE "$dest/htmx.LICENSE"
echo "htmx ${HTMX_VERSION}" > "$dest/VERSIONS"
echo "vendored htmx ${HTMX_VERSION} into $dest"
