#!/usr/bin/env bash
# Contract gate: no undeclared breaking change to the committed spec.
#
# Compares openapi/openapi.json (the working tree's: in CI, the commit under
# test) with the one at CONTRACT_BASE (default HEAD~1, the previous commit;
# for a merge commit its first parent, i.e. main before the merge) using
# Optic (`optic diff --check`, the `breaking-changes` standard of
# .ci/optic-standard.yml), offline, telemetry off. A breaking change (an
# operation, response status or response property removed, a parameter or
# request property made required, a type narrowed, ...) fails the gate
# unless it is declared, either
#   - in a commit message of CONTRACT_BASE..HEAD, with a trailer line
#       Breaking-Change: <what changes for a client>
#   - or in CHANGELOG.md: a bullet under a "### Breaking changes" heading
#     that CONTRACT_BASE's CHANGELOG.md does not have.
# Passes at once when the spec did not change, when CONTRACT_BASE has no
# spec, or when CONTRACT_BASE is not in the clone (said so).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib/tools.sh

start=$(date +%s.%N)
# The declaration parser and the lint report's own unit tests, first (2 s).
if ! unit=$(python3 -m unittest discover -s .ci/tests 2>&1); then
  echo "$unit" >&2
  echo "the contract scripts' unit tests failed" >&2
  exit 1
fi
echo "contract scripts' unit tests: $(echo "$unit" | grep -E '^Ran [0-9]+ tests?') OK"
spec=openapi/openapi.json
base=${CONTRACT_BASE:-HEAD~1}

if ! base_commit=$(git rev-parse --verify --quiet "$base^{commit}"); then
  echo "breaking-change guard: $base is not in this clone: nothing to compare with"
  exit 0
fi
short=$(git rev-parse --short "$base_commit")
work=$(mktemp -d "${TMPDIR:-/tmp}/thidua-breaking.XXXXXX")
trap 'rm -rf "$work"' EXIT
if ! git show "$base_commit:$spec" >"$work/base.json" 2>/dev/null; then
  echo "breaking-change guard: $base ($short) has no $spec: nothing to compare with"
  exit 0
fi
if cmp -s "$work/base.json" "$spec"; then
  echo "breaking-change guard: $spec unchanged since $base ($short)"
  exit 0
fi

ensure_npm_tools
cp "$spec" "$work/head.json"
rc=0
# From the temporary directory: Optic looks for its config (optic.yml) and a
# git repository around the files it compares, and needs neither.
(cd "$work" && "$CONTRACT_BIN/optic" diff base.json head.json --check \
  --standard "$OLDPWD/.ci/optic-standard.yml") >"$work/optic.txt" 2>&1 || rc=$?
# Optic's report, less its advertisement of the web view.
grep -v -e 'Rerun this command with the --web flag' "$work/optic.txt" || true

if [ "$rc" -eq 0 ]; then
  echo "breaking-change guard: no breaking change against $base ($short); $(elapsed_since "$start") s"
  exit 0
fi
if ! grep -qE 'This is a breaking change|Checks: [0-9]+/[0-9]+ passed' "$work/optic.txt"; then
  echo "breaking-change guard: optic failed without a verdict (exit $rc)" >&2
  exit "$rc"
fi

# Breaking: is it declared?
declared=$(git log --format=%B "$base_commit..HEAD" | grep -iE '^Breaking-Change:[[:space:]]*[^[:space:]]' || true)
git show "$base_commit:CHANGELOG.md" >"$work/CHANGELOG.base.md" 2>/dev/null || : >"$work/CHANGELOG.base.md"
changelog_new=$(python3 .ci/changelog_breaking.py "$work/CHANGELOG.base.md" CHANGELOG.md)
if [ -n "$declared" ] || [ -n "$changelog_new" ]; then
  echo "breaking-change guard: breaking changes against $base ($short), declared:"
  [ -z "$declared" ] || printf '  commit message: %s\n' "$declared"
  [ -z "$changelog_new" ] || printf '  CHANGELOG.md: %s\n' "$changelog_new"
  echo "($(elapsed_since "$start") s)"
  exit 0
fi
cat >&2 <<EOF
breaking-change guard: FAILED: $spec has breaking changes against $base ($short) (above), and nothing declares them.
Declare them (docs/contract.md) with a trailer line in the commit message
    Breaking-Change: <what changes for a client>
or a bullet under "### Breaking changes" in CHANGELOG.md's Unreleased section.
EOF
exit 1
