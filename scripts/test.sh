#!/usr/bin/env bash
# Runs every test of the solution against the real local stack (PostgreSQL 15, PgBouncer in
# transaction mode, Azurite), plus the infrastructure checks. Installs what is missing.
# Exits non-zero on any failure. Prints "tests: N passed, M failed" last.
#   KEEP_STACK=1 scripts/test.sh   leave the services this run started running afterwards
#   scripts/test.sh --filter X     passed through to dotnet test
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

"$repo/scripts/stack.sh" up || { echo "tests: 0 passed, 1 failed"; exit 1; }
stack="$("$repo/scripts/stack.sh" dir)"
started="$(cat "$stack/started-now" 2>/dev/null | tr '\n' ' ')"
if [ -z "${KEEP_STACK:-}" ] && [ -n "$started" ]; then
  trap '"$repo/scripts/stack.sh" down $started' EXIT
fi
# shellcheck disable=SC1091
source "$stack/env"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

passed=0; failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

echo "== infrastructure checks"
"$repo/scripts/check-infra.sh" || count 0 1   # a failed check counts as a failed test

echo "== build"
if ! dotnet build TravelFunctions.sln -c Debug -v q -nologo; then
  echo "build failed"
  echo "tests: $passed passed, $((failed + 1)) failed"
  exit 1
fi

echo "== dotnet test"
log="$(mktemp)"
# A test that hangs is killed after 25 minutes and reported by name (with the tests its host was running), so
# a hang fails the run instead of using up CI's time; the slowest test (a ReadyToRun publish) takes under ten.
dotnet test TravelFunctions.sln --no-build -c Debug -v q -nologo --logger "console;verbosity=normal" \
  --blame-hang-timeout 25m --blame-hang-dump-type none "$@" 2>&1 | tee "$log"
test_status=${PIPESTATUS[0]}
# Each test project ends with a block: "Total tests: N / Passed: P / Failed: F / Total time".
while read -r p f; do count "$p" "$f"; done < <(awk '
  /^Total tests:/ { inblock = 1; p = 0; f = 0; next }
  inblock && /^ *Passed: *[0-9]+/ { p = $2 }
  inblock && /^ *Failed: *[0-9]+/ { f = $2 }
  inblock && /^ *Total time:/ { print p, f; inblock = 0 }
' "$log")
rm -f "$log"
if [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a crash with no summary still fails

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
