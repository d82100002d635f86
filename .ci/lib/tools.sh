# Sourced by the contract scripts: install the pinned tools once per machine
# (or per clone), skip when present.
#
#   ensure_npm_tools   .ci/tools/node_modules from .ci/tools/package-lock.json
#                      (npm ci; again only when the lock file changed)
#   ensure_py_tools    .venv-contract with openapi-python-client
#   ensure_chromium    Debian's chromium (apt-get), for the Swagger UI check
#
# Everything comes from the npm registry, PyPI and Debian's packages by name
# and pinned version; nothing downloads a binary of its own (playwright-core
# drives Debian's /usr/bin/chromium, no browser download).

CONTRACT_TOOLS_DIR=.ci/tools
CONTRACT_BIN="$PWD/$CONTRACT_TOOLS_DIR/node_modules/.bin"
CONTRACT_VENV=.venv-contract
OPENAPI_PYTHON_CLIENT_VERSION=0.29.1

# Keep the tools quiet and offline beyond the registry: no telemetry, no
# update checks.
export OPTIC_TELEMETRY_LEVEL=off
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export NO_UPDATE_NOTIFIER=1 DO_NOT_TRACK=1 SCARF_ANALYTICS=false
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# npm ci into $1 (a directory with package.json and package-lock.json) unless
# its node_modules was installed from the same lock file.
npm_ci_once() {
  local dir=$1 stamp="$1/node_modules/.lock-sha256" want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

ensure_npm_tools() {
  npm_ci_once "$CONTRACT_TOOLS_DIR"
}

ensure_py_tools() {
  if ! "$CONTRACT_VENV/bin/openapi-python-client" --version 2>/dev/null |
    grep -qF "$OPENAPI_PYTHON_CLIENT_VERSION"; then
    [ -x "$CONTRACT_VENV/bin/python" ] || python3 -m venv "$CONTRACT_VENV"
    "$CONTRACT_VENV/bin/pip" install --quiet --disable-pip-version-check \
      "openapi-python-client==$OPENAPI_PYTHON_CLIENT_VERSION"
  fi
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return 0
  fi
  echo "installing Debian's chromium"
  if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is missing and this is not root: apt-get install chromium" >&2
    return 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
}

# Seconds since $1 (from `date +%s.%N`), one decimal.
elapsed_since() {
  python3 -c "import sys,time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$1"
}
