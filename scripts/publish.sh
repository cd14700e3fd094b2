#!/usr/bin/env bash
# Builds the two deployable Azure Functions (custom handler) packages:
#   artifacts/Functions.Http.zip  artifacts/Functions.Timers.zip
# Each is: the app published self-contained for linux-x64 with composite ReadyToRun, the function.json folders the
# app itself generates (`<exe> emit-functions <dir>`), and a host.json derived from the top-level host.json
# (the single source of host settings; a package's copy differs only in the executable it names and, for the
# HTTP app, request proxying). Zipped here on Linux, so the executable keeps its run bit.
#   scripts/publish.sh                      both apps
#   scripts/publish.sh Functions.Http       one app
# Idempotent: every run rebuilds the packages from scratch. Build intermediates go to artifacts/build
# (git-ignored), so publishing never touches the Debug build the tests use.
set -euo pipefail
shopt -s nullglob

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
out="$repo/artifacts"
rid=linux-x64
apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=(Functions.Http Functions.Timers)

# shellcheck source=lib/apt.sh
source "$repo/scripts/lib/apt.sh"
require_commands publish jq zip
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1

# Timer functions get a retry policy: timer triggers support one at function level only (function.json
# "retry"; host.json has none). Every job is safe to re-run, and a failed run is otherwise retried only
# at the next schedule.
timer_retry='{"strategy":"fixedDelay","maxRetryCount":2,"delayInterval":"00:01:00"}'

# ReadyToRun as one composite image of the framework and the app (self-contained, so they ship together): code
# the app instantiates across assemblies (generics over our types, source-generated JSON metadata, async state
# machines) is precompiled too instead of being JIT-compiled at every cold start (bench/coldstart.sh). Costs
# about two minutes of publishing per app.
publish() { # app stage r2r
  dotnet publish "src/$1/$1.csproj" -c Release -r "$rid" --self-contained true \
    -p:PublishReadyToRun="$3" -p:PublishReadyToRunComposite="$3" -p:SatelliteResourceLanguages=en \
    --artifacts-path "$out/build" -o "$2" --disable-build-servers -nodeReuse:false -v q -nologo
}

mkdir -p "$out"
for app in "${apps[@]}"; do
  [ -f "src/$app/$app.csproj" ] || { echo "[publish] unknown app $app" >&2; exit 2; }
  stage="$out/package/$app"
  zip_path="$out/$app.zip"
  rm -rf "$stage" "$zip_path"
  echo "== $app: dotnet publish -c Release -r $rid --self-contained -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true"
  log="$(mktemp)"
  r2r=true
  if ! publish "$app" "$stage" true >"$log" 2>&1; then
    # ReadyToRun needs the Crossgen2 pack (microsoft.netcore.app.crossgen2.linux-x64) for the SDK's runtime
    # version. If the registry cannot serve it, ship without ReadyToRun (slower cold start) rather than nothing.
    if grep -qi 'crossgen2' "$log"; then
      cat "$log" >&2
      echo "[publish] WARNING: the ReadyToRun compiler pack cannot be restored; publishing $app without ReadyToRun" >&2
      r2r=false
      rm -rf "$stage"
      publish "$app" "$stage" false >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
    else
      cat "$log" >&2; rm -f "$log"; exit 1
    fi
  fi
  rm -f "$log"
  exe="$stage/$app"
  [ -x "$exe" ] || { echo "[publish] $exe is missing or not executable" >&2; exit 1; }

  # Function metadata from the app itself, with no settings in the environment (emitting needs none).
  functions="$(mktemp -d)"
  # Bounded: an app that does not know the verb would start serving instead of exiting.
  if ! emitted="$(env -i PATH="$PATH" HOME="${HOME:-/tmp}" timeout 60 "$exe" emit-functions "$functions" 2>&1)"; then
    echo "$emitted" >&2
    echo "[publish] $app emit-functions failed (exit code, or no exit within 60 s: does $app know the verb?)" >&2
    rm -rf "$functions"; exit 1
  fi
  count=0
  for dir in "$functions"/*/; do
    name="$(basename "$dir")"
    [ -f "$dir/function.json" ] || { echo "[publish] $app emitted $name without function.json" >&2; exit 1; }
    [ ! -e "$stage/$name" ] || { echo "[publish] function $name collides with $stage/$name from the publish output" >&2; exit 1; }
    if jq -e '.bindings[] | select(.type == "timerTrigger")' "$dir/function.json" >/dev/null \
       && ! jq -e 'has("retry")' "$dir/function.json" >/dev/null; then
      jq --argjson retry "$timer_retry" '. + {retry: $retry}' "$dir/function.json" >"$dir/function.json.tmp"
      mv "$dir/function.json.tmp" "$dir/function.json"
    fi
    mv "$dir" "$stage/$name"
    count=$((count + 1))
  done
  rm -rf "$functions"
  [ "$count" -gt 0 ] || { echo "[publish] $app emitted no functions" >&2; exit 1; }

  proxy=false; [ "$app" = Functions.Http ] && proxy=true
  jq --arg exe "$app" --argjson proxy "$proxy" '
      .customHandler.description.defaultExecutablePath = $exe
    | .customHandler.enableProxyingHttpRequest = $proxy' host.json >"$stage/host.json"

  (cd "$stage" && zip -q -r -X "$zip_path" .)
  size="$(du -h "$zip_path" | cut -f1)"
  echo "built $zip_path ($size): $count functions, executable $app, ReadyToRun=$r2r, proxying=$proxy"
done
