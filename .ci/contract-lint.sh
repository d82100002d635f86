#!/usr/bin/env bash
# Contract gate: lint the committed spec (openapi/openapi.json) with Redocly
# CLI (`recommended`, redocly.yaml) and Spectral (`spectral:oas`,
# .spectral.yaml). Prints every finding grouped by rule with the operation or
# component it is on, then one line per tool; fails on any error or warning.
# In .ci/run before `cargo test` (docs/contract.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib/tools.sh

start=$(date +%s.%N)
ensure_npm_tools
out=$(mktemp -d "${TMPDIR:-/tmp}/thidua-lint.XXXXXX")
trap 'rm -rf "$out"' EXIT

# Redocly exits 1 on errors and prints a Node 20 notice on stderr: both are
# judged below, from the JSON.
"$CONTRACT_BIN/redocly" lint --config redocly.yaml --format=json >"$out/redocly.json" 2>"$out/redocly.err" || true
if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out/redocly.json" 2>/dev/null; then
  cat "$out/redocly.err" >&2
  echo "redocly printed no report" >&2
  exit 1
fi
"$CONTRACT_BIN/spectral" lint openapi/openapi.json --ruleset .spectral.yaml --format json \
  --output "$out/spectral.json" --quiet || true
if [ ! -s "$out/spectral.json" ]; then
  echo "spectral printed no report" >&2
  exit 1
fi

rc=0
python3 .ci/contract_lint_report.py "$out/redocly.json" "$out/spectral.json" || rc=$?
echo "contract-lint: $(elapsed_since "$start") s"
exit "$rc"
