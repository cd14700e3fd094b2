#!/usr/bin/env bash
# Builds the two deployable function app packages (.NET 10 isolated worker, for a Flex Consumption app with
# runtime dotnet-isolated 10.0):
#   artifacts/Functions.Http.zip  artifacts/Functions.Timers.zip
# Each is `dotnet publish` output as is: the app self-contained for linux-x64 with composite ReadyToRun, and what the
# Worker SDK generates beside it — functions.metadata (the functions, from their attributes), worker.config.json
# (how the host starts the worker), .azurefunctions/ (the extensions) — plus the top-level host.json (the single
# source of host settings, linked into each project). Zipped here on Linux, so the executable keeps its run bit.
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

# ReadyToRun as one composite image of the framework and the app (self-contained, so they ship together): code
# the app instantiates across assemblies (generics over our types, source-generated JSON metadata, async state
# machines) is precompiled too instead of being JIT-compiled at every cold start (bench/coldstart.sh). Costs
# about two minutes of publishing per app.
publish() { # project stage r2r
  dotnet publish "$1" -c Release -r "$rid" --self-contained true \
    -p:PublishReadyToRun="$3" -p:PublishReadyToRunComposite="$3" -p:SatelliteResourceLanguages=en \
    --artifacts-path "$out/build" -o "$2" --disable-build-servers -nodeReuse:false -v q -nologo
}

# publish_package <project.csproj> <zip> : publishes, checks the layout a Flex app runs, zips.
publish_package() {
  local project="$1" zip_path="$2" app stage log r2r=true
  app="$(basename "$project" .csproj)"
  stage="$out/package/$app"
  rm -rf "$stage" "$zip_path"
  echo "== $app: dotnet publish -c Release -r $rid --self-contained -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true"
  log="$(mktemp)"
  if ! publish "$project" "$stage" true >"$log" 2>&1; then
    # ReadyToRun needs the Crossgen2 pack (microsoft.netcore.app.crossgen2.linux-x64) for the SDK's runtime
    # version. If the registry cannot serve it, ship without ReadyToRun (slower cold start) rather than nothing.
    if grep -qi 'crossgen2' "$log"; then
      cat "$log" >&2
      echo "[publish] WARNING: the ReadyToRun compiler pack cannot be restored; publishing $app without ReadyToRun" >&2
      r2r=false
      rm -rf "$stage"
      publish "$project" "$stage" false >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
    else
      cat "$log" >&2; rm -f "$log"; exit 1
    fi
  fi
  rm -f "$log"

  # What the Functions host needs at the package root, checked before anything ships.
  for required in host.json functions.metadata worker.config.json .azurefunctions "$app"; do
    [ -e "$stage/$required" ] || { echo "[publish] $app: $required is missing from the publish output" >&2; exit 1; }
  done
  [ -x "$stage/$app" ] || { echo "[publish] $app: $stage/$app is not executable" >&2; exit 1; }
  local count
  count="$(jq 'length' "$stage/functions.metadata")"
  [ "$count" -gt 0 ] || { echo "[publish] $app: functions.metadata lists no functions" >&2; exit 1; }
  jq -e '.description.workerIndexing == "true"' "$stage/worker.config.json" >/dev/null \
    || { echo "[publish] $app: worker.config.json does not ask for worker indexing" >&2; exit 1; }
  ! jq -e 'has("customHandler") or has("extensionBundle")' "$stage/host.json" >/dev/null \
    || { echo "[publish] $app: host.json names a custom handler or an extension bundle" >&2; exit 1; }

  mkdir -p "$(dirname "$zip_path")"
  (cd "$stage" && zip -q -r -X -y "$zip_path" .)
  echo "built $zip_path ($(du -h "$zip_path" | cut -f1)): $count functions, executable $app, ReadyToRun=$r2r"
}

# Only sourced by bench scripts that publish other apps the same way.
[ "${PUBLISH_LIBRARY_ONLY:-}" = 1 ] && return 0

for app in "${apps[@]}"; do
  [ -f "src/$app/$app.csproj" ] || { echo "[publish] unknown app $app" >&2; exit 2; }
  publish_package "src/$app/$app.csproj" "$out/$app.zip"
done
