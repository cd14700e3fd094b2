#!/usr/bin/env bash
# Checks infra/ without the Bicep compiler: every .bicep/.bicepparam file parses (tree-sitter-bicep),
# parameters and module calls are wired, and each function app's settings in main.bicep equal
# infra/app-settings.json. Installs the checker's npm packages on first use (git-ignored
# infra/check/node_modules). Exit code 0 = all good.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
check="$repo/infra/check"

# shellcheck source=lib/apt.sh
source "$repo/scripts/lib/apt.sh"
require_commands check-infra node=nodejs npm

# (Re)install when the pinned packages are missing or the lock file changed since the last install.
stamp="$check/node_modules/.installed-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$check/package-lock.json" "$stamp"; then
  echo "[check-infra] installing checker packages (npm ci)" >&2
  log="$(mktemp)"
  (cd "$check" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>"$log") || {
    cat "$log" >&2; rm -f "$log"; exit 1; }
  rm -f "$log"
  cp "$check/package-lock.json" "$stamp"
fi

exec node "$check/check.mjs" "$repo"
