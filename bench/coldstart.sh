#!/usr/bin/env bash
# Cold start of the packaged HTTP app beside a bare ASP.NET Core "hello" app published the same way
# (self-contained linux-x64, composite ReadyToRun, as scripts/publish.sh does), in the same run: time from
# exec of the executable (as the Functions host starts it: only FUNCTIONS_CUSTOMHANDLER_PORT + app settings
# in the environment, working directory = package root) to its first 200 on GET /. Medians of N starts each (default 15),
# the two apps alternating so machine noise hits both alike; one unmeasured warm-up each (page cache).
# Bar: app median / bare median <= 1.5. Exit 1 when missed.
#   bench/coldstart.sh [N]         uses artifacts/Functions.Http.zip (runs scripts/publish.sh Functions.Http if missing)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-15}"
[ "$runs" -ge 10 ] || { echo "use at least 10 starts" >&2; exit 2; }
stack_env="${TRAVEL_STACK_DIR:-$repo/.local/stack}/env"
[ -f "$stack_env" ] || stack_env=/work/main/.local/stack/env
# shellcheck disable=SC1090
source "$stack_env"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

[ -f "$repo/artifacts/Functions.Http.zip" ] || "$repo/scripts/publish.sh" Functions.Http
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/app" && unzip -q "$repo/artifacts/Functions.Http.zip" -d "$work/app"

# The bare app: outside the repo, so none of its build settings apply; published with the package's flags.
mkdir -p "$work/hello/src"
cat >"$work/hello/src/Hello.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <InvariantGlobalization>true</InvariantGlobalization>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
</Project>
XML
cat >"$work/hello/src/Program.cs" <<'CS'
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.UseUrls($"http://127.0.0.1:{Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT")}");
var app = builder.Build();
app.MapGet("/", () => "hello");
app.Run();
CS
echo "publishing the bare hello app (self-contained linux-x64, composite ReadyToRun, like the package)..."
dotnet publish "$work/hello/src/Hello.csproj" -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -p:SatelliteResourceLanguages=en \
  -o "$work/hello/out" --disable-build-servers -nodeReuse:false -v q -nologo >"$work/hello.log" 2>&1 || { cat "$work/hello.log"; exit 1; }

port=47931
app_env=(TravelDb="$TravelDb" TravelDbDirect="$TravelDbDirect" Jwt__Issuer=http://127.0.0.1 Jwt__Audience=bench
         Jwt__SigningKey=bench-only-signing-key-0123456789abcdef0123 Jwt__AccessTokenMinutes=15 Jwt__RefreshTokenDays=30 Auth__PermitsPerMinute=20)

# start_ms DIR EXE [settings...] -> milliseconds from exec to the first 200 on GET /
start_ms() {
  local dir="$1" exe="$2"; shift 2
  local t0 t1
  t0=$(date +%s%N)
  (cd "$dir" && exec env -i FUNCTIONS_CUSTOMHANDLER_PORT="$port" "$@" "./$exe" >/dev/null 2>&1) &
  pid=$!
  until curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; do
    kill -0 "$pid" 2>/dev/null || { echo "$exe exited before answering" >&2; exit 1; }
    [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 30000 ] || { echo "$exe did not answer within 30 s" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  echo $(( (t1 - t0) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

start_ms "$work/hello/out" Hello >/dev/null
start_ms "$work/app" Functions.Http "${app_env[@]}" >/dev/null
bare=(); app=()
for _ in $(seq 1 "$runs"); do
  bare+=("$(start_ms "$work/hello/out" Hello)")
  app+=("$(start_ms "$work/app" Functions.Http "${app_env[@]}")")
done
bare_med=$(printf '%s\n' "${bare[@]}" | median)
app_med=$(printf '%s\n' "${app[@]}" | median)
ratio=$(awk -v a="$app_med" -v b="$bare_med" 'BEGIN {printf "%.2f", a / b}')
echo "bare hello (ms):      ${bare[*]}"
echo "Functions.Http (ms):  ${app[*]}"
echo "median bare ${bare_med} ms, Functions.Http ${app_med} ms, ratio ${ratio} (bar <= 1.5), ${runs} starts each"
awk -v r="$ratio" 'BEGIN {exit !(r <= 1.5)}' && echo "PASS" || { echo "FAIL: ratio above 1.5"; exit 1; }
