#!/usr/bin/env bash
# Contract gate: the integration example (examples/provincial-sync) against
# the real server. Generates its types from the committed spec, type-checks
# and compiles it (tsc --strict), starts `thidua serve --demo` (debug build,
# throwaway database: .ci/lib/demo-server.sh), lets the admin do the one-time
# setup (a service client for SYT, the 2021 cut-off moved), then runs the
# integration as that client: client-credentials login, a report batch with
# an Idempotency-Key retried once (the replay checked byte for byte), the
# change feed followed from a cursor, the compliance matrix (JSON and CSV).
# Fails when any step does not answer as documented.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib/tools.sh
source .ci/lib/demo-server.sh

start=$(date +%s.%N)
example=examples/provincial-sync
npm_ci_once "$example"
(cd "$example" && rm -rf dist && npm run -s generate && npm run -s build)
echo "example built: $(elapsed_since "$start") s"

trap demo_server_stop EXIT
demo_server_start

creds="$DEMO_WORK/credentials.json"
(cd "$example" && THIDUA_URL=$DEMO_BASE THIDUA_ADMIN_PASSWORD=$DEMO_ADMIN_PASSWORD \
  THIDUA_CREDENTIALS_FILE=$creds npm run -s setup-demo)
client_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clientId"])' "$creds")
client_secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clientSecret"])' "$creds")
(cd "$example" && THIDUA_URL=$DEMO_BASE THIDUA_CLIENT_ID=$client_id THIDUA_CLIENT_SECRET=$client_secret \
  npm run -s sync)
echo "== example passed: $(elapsed_since "$start") s"
