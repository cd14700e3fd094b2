#!/usr/bin/env bash
# Uploads one app package to a Flex Consumption function app (`az functionapp deployment source
# config-zip`, which uses the one-deploy API on Flex) and retries while the app's identity may not
# yet write to its deployment container. A role assignment the template made minutes ago can take
# several minutes to apply; until then Flex answers 403, or 400 with a BlobUploadFailedException
# carrying storage's 403. Those are retried with backoff (15 s, 30 s, 60 s, then 120 s; six
# attempts, about six minutes in all); any other failure fails at once.
#   scripts/deploy-package.sh <resource group> <app name> <package.zip> [attempts]
# Needs the Azure CLI, signed in.
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: $0 <resource group> <app name> <package.zip> [attempts]" >&2; exit 2; }
group="$1" app="$2" package="$3" attempts="${4:-6}"
delay="${DEPLOY_RETRY_FIRST_DELAY:-15}" # seconds before the first retry; doubles up to 120
[ -f "$package" ] || { echo "[deploy] no package at $package" >&2; exit 2; }

for attempt in $(seq 1 "$attempts"); do
  if output="$(az functionapp deployment source config-zip --resource-group "$group" --name "$app" \
                 --src "$package" --only-show-errors -o none 2>&1)"; then
    echo "[deploy] $app: $(basename "$package") deployed (attempt $attempt)"
    exit 0
  fi
  echo "$output" >&2
  if ! grep -qiE '\b403\b|Forbidden|AuthorizationPermissionMismatch|AuthorizationFailure|BlobUploadFailed' <<<"$output"; then
    echo "[deploy] $app: deployment failed, and not for missing permissions: not retried" >&2
    exit 1
  fi
  [ "$attempt" -lt "$attempts" ] || break
  echo "[deploy] $app: access denied; role assignments may still be propagating. Retry in ${delay}s ($attempt/$attempts)" >&2
  sleep "$delay"
  delay=$((delay * 2 > 120 ? 120 : delay * 2))
done
echo "[deploy] $app: still denied after $attempts attempts; check the identity's roles on the host storage account" >&2
exit 1
