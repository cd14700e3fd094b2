#!/usr/bin/env bash
# Checks infra/ with the real Bicep compiler, offline:
#   1. restores the pinned Bicep CLI through NuGet (infra/bicep-cli; the version is in
#      Directory.Packages.props) and finds it in the NuGet cache;
#   2. `bicep build` and `bicep lint` of every .bicep file and `bicep build-params` of every
#      .bicepparam file under infra/bicep, linter rules in infra/bicep/bicepconfig.json; ANY
#      diagnostic fails the check, warnings included;
#   3. infra/check/check.mjs on the compiled main.json: each function app's settings equal
#      infra/app-settings.json, and the sites carry nothing Flex Consumption rejects.
# Exit code 0 = all good. Needs the .NET SDK (for the restore) and Node.js (installed if missing).
#   scripts/check-infra.sh              check only (what scripts/test.sh runs)
#   scripts/check-infra.sh --out DIR    also keep the checked deployment in DIR: main.json and
#                                       main.parameters.json, for what-if and the deployment itself
set -euo pipefail

out=""
case "${1:-}" in
  "") ;;
  --out) [ -n "${2:-}" ] || { echo "usage: $0 [--out DIR]" >&2; exit 2; }; out="$(realpath -m "$2")" ;; # before the cd below
  *) echo "usage: $0 [--out DIR]" >&2; exit 2 ;;
esac

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# shellcheck source=lib/apt.sh
source "$repo/scripts/lib/apt.sh"
require_commands check-infra node=nodejs
command -v dotnet >/dev/null || { echo "[check-infra] the .NET SDK (dotnet) is needed to restore the Bicep compiler" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# ---------------------------------------------------------------- 1. the compiler
# The package's build props set BicepPath; an empty target makes MSBuild restore before it answers.
if ! dotnet msbuild infra/bicep-cli/BicepCli.csproj -restore -t:LocateBicep -getProperty:BicepPath \
     -nologo -v:q -nodeReuse:false >"$work/locate.txt" 2>&1; then
  cat "$work/locate.txt" >&2
  echo "[check-infra] could not restore the Bicep compiler (infra/bicep-cli)" >&2
  exit 1
fi
bicep="$(tail -n 1 "$work/locate.txt")"
[ -f "$bicep" ] || { cat "$work/locate.txt" >&2; echo "[check-infra] no Bicep executable at '$bicep'" >&2; exit 1; }
# NuGet keeps the executable bit the package carries (owner only); restore it if an extractor dropped it.
[ -x "$bicep" ] || chmod u+x "$bicep"
# (Its version from the cache path, .../azure.bicep.commandline.linux-x64/<version>/tools/bicep: asking the CLI costs a start-up.)
echo "infra: Bicep CLI $(basename "$(dirname "$(dirname "$(realpath "$bicep")")")")"

# ---------------------------------------------------------------- 2. compile and lint
# --no-restore: the templates use local modules only; a registry module (br:/ts:) would need the
# network, and fails here instead of downloading. Secrets are never needed to compile: the
# parameters file is built with the variables it could read them from unset.
diagnostics="$work/diagnostics.txt"
status=0
run() { "$bicep" "$@" --no-restore 2>>"$diagnostics" || status=1; }

mapfile -t templates < <(find infra/bicep -name '*.bicep' | sort)
mapfile -t parameter_files < <(find infra/bicep -name '*.bicepparam' | sort)
[ ${#templates[@]} -gt 0 ] || { echo "[check-infra] no .bicep files under infra/bicep" >&2; exit 1; }

run build --pattern 'infra/bicep/**/*.bicep' --outdir "$work/arm"
run lint --pattern 'infra/bicep/**/*.bicep'
mkdir -p "$work/params"
for file in "${parameter_files[@]}"; do
  env -u TRAVELDB_APP_CONNECTION_STRING -u TRAVELDB_MAINTENANCE_CONNECTION_STRING \
      -u TRAVELDB_DIRECT_CONNECTION_STRING -u JWT_SIGNING_KEY \
      "$bicep" build-params "$file" --no-restore --outfile "$work/params/$(basename "$file" .bicepparam).parameters.json" \
      2>>"$diagnostics" || status=1
done

# The compiler exits 0 on warnings: count every diagnostic line ("file(line,col) : Warning|Error ...").
if [ -s "$diagnostics" ]; then
  sed "s#$repo/##" "$diagnostics" | sort -u >&2
  status=1
fi
count="$(grep -cE ' : (Warning|Error) ' "$diagnostics" || true)"
if [ "$status" -ne 0 ]; then
  echo "[check-infra] bicep: $count diagnostic(s) in ${#templates[@]} templates and ${#parameter_files[@]} parameter files (warnings count as failures)" >&2
  exit 1
fi
echo "infra: bicep build + lint: ${#templates[@]} templates, ${#parameter_files[@]} parameter files, no diagnostics"

# ---------------------------------------------------------------- 3. app settings and Flex rules
node infra/check/check.mjs "$work/arm/main.json" "$repo"

if [ -n "$out" ]; then
  mkdir -p "$out"
  cp "$work/arm/main.json" "$work/params/main.parameters.json" "$out/"
  echo "infra: compiled deployment in $out (main.json, main.parameters.json)"
fi
