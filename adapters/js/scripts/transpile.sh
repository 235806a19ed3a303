#!/usr/bin/env bash
# Transpiles the provider component with jco for Node 24's JSPI: the imports that reach AWS (and
# `wait`, `lock.acquire`, OpenPGP.js's `openpgp`) may suspend, and the exports that call them return promises.
# Usage: scripts/transpile.sh PROVIDER.wasm OUT_DIR [probe]
# `probe`: the component is the conformance kit's probe (conformance/), whose export is `probe`.
# jco is pinned below 1.16 (package.json): from 1.16 on, the glue it writes runs the component
# model's async task bookkeeping around every call, even for this component's synchronous
# functions, and a read's glue costs 2-3x as much (docs/performance.md, the JavaScript host).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
api=lightsail:provider/lightsail
args=()
for f in create-bucket-access-key get-bucket-access-keys delete-bucket-access-key get-operation \
  create-bucket get-bucket get-buckets update-bucket-bundle delete-bucket tag-resource untag-resource; do
  args+=(--async-imports "$api#$f")
done
args+=(--async-imports lightsail:provider/wait#wait --async-imports lightsail:provider/lock#acquire)
args+=(--async-imports lightsail:provider/openpgp#check-public-key --async-imports lightsail:provider/openpgp#encrypt)
if [ "${3:-}" = probe ]; then
  args+=(--async-exports lightsail:provider/probe#call)
else
  for f in check diff create read update delete import list rotate; do
    args+=(--async-exports "lightsail:provider/resource-provider#$f")
  done
fi
# JCO_TRANSPILE_OPTIONS adds options (word-split), for measuring them: docs/performance.md.
# shellcheck disable=SC2086
exec "$here/node_modules/.bin/jco" transpile "$1" -o "$2" --name provider --instantiation async --async-mode jspi --quiet "${args[@]}" ${JCO_TRANSPILE_OPTIONS:-}
