#!/usr/bin/env bash
# Contract gate: Swagger UI in a real browser. Installs Debian's chromium
# when missing, starts `thidua serve --demo` (debug build, throwaway
# database: .ci/lib/demo-server.sh) and runs .ci/tools/swagger-ui-check.mjs
# (playwright-core driving /usr/bin/chromium headless): a token from the
# password example, Authorize, Execute on every GET without path parameters,
# then POST /api/v1/organizations with its body example. Prints a table
# (operation, path sent, status) and the screenshots' paths; fails when a
# request goes to another operation's path, a GET is not 2xx or the POST is
# not 201. Screenshots go to $SCREENSHOT_DIR (default
# ${TMPDIR:-/tmp}/thidua-contract), which outlives the run.
# In .ci/run after the integration example, on the debug build (docs/contract.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib/tools.sh
source .ci/lib/demo-server.sh

start=$(date +%s.%N)
ensure_chromium
ensure_npm_tools
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo '?'); playwright-core $(node -p 'require("./.ci/tools/node_modules/playwright-core/package.json").version')"

trap demo_server_stop EXIT
demo_server_start

rc=0
THIDUA_URL=$DEMO_BASE THIDUA_ADMIN_PASSWORD=$DEMO_ADMIN_PASSWORD \
  SCREENSHOT_DIR=${SCREENSHOT_DIR:-${TMPDIR:-/tmp}/thidua-contract} \
  node .ci/tools/swagger-ui-check.mjs || rc=$?
echo "contract-swagger-ui: $(elapsed_since "$start") s"
exit "$rc"
