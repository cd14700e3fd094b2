#!/usr/bin/env bash
# Cold start of the HTTP package under the local Functions host beside a template isolated-worker app (one HTTP
# function, ASP.NET Core integration) published the same way (scripts/publish.sh's publish_package: self-contained
# linux-x64, composite ReadyToRun), in the same run (issue 11 §5). Measured: from starting the local host process
# (Release, built beforehand) on the unzipped package to the first 200 through the host's front door on the app's
# route — GET /api/health for Functions.Http (its readiness function: one pooled-database round trip, as a first real
# request has), GET /api/HelloHttp for the template. That covers what the Functions host does at a cold start here:
# start the worker process, WorkerInitRequest, worker-indexed metadata, one FunctionLoadRequest per function, the
# worker's HTTP endpoint listening, then the first invocation. Medians of N starts each (default 15), the two apps
# alternating so machine noise hits both alike; one unmeasured warm-up each (page cache).
# Bar: Functions.Http median / template median <= 1.3. Exit 1 when missed.
#   bench/coldstart.sh [N]   uses artifacts/Functions.Http.zip (runs scripts/publish.sh Functions.Http if missing);
#                            publishing the template takes ~2 minutes (composite ReadyToRun), reused while unchanged
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-15}"
bar=1.3
[ "$runs" -ge 10 ] || { echo "use at least 10 starts" >&2; exit 2; }
# shellcheck source=lib/localhost.sh
source "$repo/bench/lib/localhost.sh"
bench_source_stack_env
# shellcheck source=../scripts/lib/apt.sh
source "$repo/scripts/lib/apt.sh"
require_commands coldstart curl unzip python3
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

[ -f "$repo/artifacts/Functions.Http.zip" ] || "$repo/scripts/publish.sh" Functions.Http
localhost_build
work="$(mktemp -d)"
cleanup() { localhost_stop; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/app" && unzip -q "$repo/artifacts/Functions.Http.zip" -d "$work/app"

# The template app: what `func new` gives a .NET 10 isolated-worker app with ASP.NET Core integration (minus
# Application Insights), outside the repo so none of its build settings apply, with the repo's package versions
# and its invariant globalization (Directory.Build.props), so that only the app's own start-up differs.
version() { sed -nE "s/.*PackageVersion Include=\"$1\" Version=\"([^\"]+)\".*/\1/p" "$repo/Directory.Packages.props"; }
mkdir -p "$work/template"
cat >"$work/template/Template.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <AzureFunctionsVersion>v4</AzureFunctionsVersion>
    <OutputType>Exe</OutputType>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <InvariantGlobalization>true</InvariantGlobalization>
  </PropertyGroup>
  <ItemGroup>
    <FrameworkReference Include="Microsoft.AspNetCore.App" />
    <PackageReference Include="Microsoft.Azure.Functions.Worker" Version="$(version Microsoft.Azure.Functions.Worker)" />
    <PackageReference Include="Microsoft.Azure.Functions.Worker.Sdk" Version="$(version Microsoft.Azure.Functions.Worker.Sdk)" />
    <PackageReference Include="Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore" Version="$(version Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore)" />
  </ItemGroup>
  <ItemGroup>
    <None Update="host.json" CopyToOutputDirectory="PreserveNewest" CopyToPublishDirectory="PreserveNewest" />
  </ItemGroup>
</Project>
XML
cat >"$work/template/Program.cs" <<'CS'
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Build().Run();
CS
cat >"$work/template/HelloHttp.cs" <<'CS'
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

public class HelloHttp(ILogger<HelloHttp> logger)
{
    [Function("HelloHttp")]
    public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post")] HttpRequest req)
    {
        logger.LogInformation("C# HTTP trigger function processed a request.");
        return new OkObjectResult("Welcome to Azure Functions!");
    }
}
CS
cat >"$work/template/host.json" <<'JSON'
{
  "version": "2.0",
  "logging": {
    "applicationInsights": {
      "samplingSettings": { "isEnabled": true, "excludedTypes": "Request" },
      "enableLiveMetricsFilters": true
    }
  }
}
JSON
# Publishing takes minutes: the staged output (artifacts/package/Template, git-ignored) is reused while the template's
# sources and the package versions are the same.
stage="$repo/artifacts/package/Template"
source_sha="$(cat "$work/template"/* | sha256sum | cut -c1-16)"
if [ "$(cat "$stage/.bench-source" 2>/dev/null)" != "$source_sha" ]; then
  echo "publishing the template app the way scripts/publish.sh publishes a package (self-contained, composite ReadyToRun)..."
  (
    # shellcheck source=../scripts/publish.sh
    PUBLISH_LIBRARY_ONLY=1 source "$repo/scripts/publish.sh"
    publish_package "$work/template/Template.csproj" "$work/template.zip"
  ) >"$work/publish.log" 2>&1 || { cat "$work/publish.log" >&2; exit 1; }
  grep -q 'ReadyToRun=true' "$work/publish.log" || { cat "$work/publish.log" >&2; echo "the template was not published with ReadyToRun" >&2; exit 1; }
  echo "$source_sha" >"$stage/.bench-source"
fi
cp -a "$stage" "$work/template-app"

port="$(bench_free_port)"
# Functions.Http's settings: only what it needs, production defaults otherwise. The template needs none.
http_app_settings "$work/http.settings.json" TravelDb="$TravelDb" Jwt__AccessTokenMinutes=15 Jwt__RefreshTokenDays=30
localhost_settings "$work/template.settings.json"

# Waits for the first 200 on a URL with plain connects every 5 ms (no process per attempt, which would take CPU
# from the start being measured) and prints the milliseconds since T0_NS (the host's launch), then the CPU time the
# host and the worker had used by then (user + system, from /proc): on a shared machine the wall time moves with
# everyone else's load, the CPU time much less.
cat >"$work/first200.py" <<'PY'
import http.client, os, socket, sys, time
t0, port, path, host = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
tick = os.sysconf("SC_CLK_TCK")
def cpu_ms(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 // tick
def children(pid):
    return [int(c) for t in os.listdir(f"/proc/{pid}/task") for c in open(f"/proc/{pid}/task/{t}/children").read().split()]
deadline = time.time() + 60
while time.time() < deadline:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", path)
        if c.getresponse().status == 200:
            wall = (time.time_ns() - t0) // 1_000_000
            print(wall, cpu_ms(host), sum(cpu_ms(w) for w in children(host)))
            sys.exit(0)
    except (ConnectionError, socket.timeout, http.client.HTTPException):
        pass
    time.sleep(0.005)
sys.exit(1)
PY

# start_ms APP_DIR SETTINGS PATH -> "wall-ms host-cpu-ms worker-cpu-ms" from launching the host to the first 200 on PATH
start_ms() {
  local t0 ms
  t0=$(date +%s%N)
  localhost_launch "$1" "$port" "$2" "$work/host.log"
  ms=$(python3 "$work/first200.py" "$t0" "$port" "$3" "$localhost_pid") \
    || { echo "no 200 on $3 within 60 s:" >&2; tail -50 "$work/host.log" >&2; localhost_stop; exit 1; }
  localhost_stop
  echo "$ms"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_ms "$work/template-app" "$work/template.settings.json" /api/HelloHttp >/dev/null
start_ms "$work/app" "$work/http.settings.json" /api/health >/dev/null
: >"$work/template.txt"; : >"$work/app.txt"
for _ in $(seq 1 "$runs"); do
  start_ms "$work/template-app" "$work/template.settings.json" /api/HelloHttp >>"$work/template.txt"
  start_ms "$work/app" "$work/http.settings.json" /api/health >>"$work/app.txt"
done
column_median() { cut -d' ' -f"$1" "$2" | median; }
template_med=$(column_median 1 "$work/template.txt"); app_med=$(column_median 1 "$work/app.txt")
ratio=$(awk -v a="$app_med" -v b="$template_med" 'BEGIN {printf "%.2f", a / b}')
echo "template (ms):        $(cut -d' ' -f1 "$work/template.txt" | tr '\n' ' ')"
echo "Functions.Http (ms):  $(cut -d' ' -f1 "$work/app.txt" | tr '\n' ' ')"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); commit $(git -C "$repo" rev-parse --short HEAD); package built $(date -r "$repo/artifacts/Functions.Http.zip" -u +%FT%TZ)"
echo "CPU to the first 200, medians (informational): template host $(column_median 2 "$work/template.txt") ms + worker $(column_median 3 "$work/template.txt") ms;" \
  "Functions.Http host $(column_median 2 "$work/app.txt") ms + worker $(column_median 3 "$work/app.txt") ms"
echo "median template ${template_med} ms, Functions.Http ${app_med} ms, ratio ${ratio} (bar <= $bar), ${runs} starts each"
awk -v r="$ratio" -v bar="$bar" 'BEGIN {exit !(r <= bar)}' && echo "PASS" || { echo "FAIL: ratio above $bar"; exit 1; }
