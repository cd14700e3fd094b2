// TravelFunctions: one environment in one resource group.
//
//   Log Analytics + workspace-based Application Insights (local auth off, Entra ingestion)
//   one user-assigned identity for both apps (storage, deployment, Key Vault, App Insights)
//   host storage (AzureWebJobsStorage by identity, one deployment container per app)
//   archive storage (archive container + lifecycle policy scoped to it)
//   Key Vault (RBAC) with the Neon connection strings and the JWT signing key
//   two Flex Consumption plans + two .NET 10 isolated-worker function apps (HTTP API, timers)
//   least-privilege role assignments
//
// The database is a Neon project created in the Neon Console (docs/deploy.md, "Neon"): Neon's
// Azure resource provider (Neon.Postgres) was retired, so no template can create one any more.
//
// No secret has a default value here. Secrets left empty are set afterwards with
// `az keyvault secret set` (docs/deploy.md); the app settings reference them by name.
// The app settings of each app must equal infra/app-settings.json (scripts/check-infra.sh).

targetScope = 'resourceGroup'

import { resourceTags } from 'types.bicep'

// ---------------------------------------------------------------- environment

@minLength(2)
@maxLength(10)
@description('Short environment name (lowercase letters and digits), used in resource names: dev, test, prod.')
param environmentName string

@description('Azure region for every resource. It must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@description('Tags for every resource (name -> value).')
param tags resourceTags = {}

// ---------------------------------------------------------------- HTTP API

@description('Origins allowed to call the HTTP API from a browser (site CORS). Empty = none.')
param corsAllowedOrigins string[] = []

@allowed([
  512
  2048
  4096
])
@description('Instance memory of the HTTP app, MB.')
param httpInstanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
@description('Maximum instance count of the HTTP app.')
param httpMaximumInstanceCount int = 100

@description('JWT issuer (Jwt__Issuer).')
param jwtIssuer string = 'https://travelfunctions-${environmentName}'

@description('JWT audience (Jwt__Audience).')
param jwtAudience string = 'travelfunctions-api'

@minValue(1)
@maxValue(240)
@description('Access token lifetime in minutes (Jwt__AccessTokenMinutes).')
param jwtAccessTokenMinutes int = 15

@minValue(1)
@maxValue(365)
@description('Refresh token lifetime in days (Jwt__RefreshTokenDays).')
param jwtRefreshTokenDays int = 30

@minValue(1)
@description('Credential attempts (register, token, refresh) per client address per minute (Auth__PermitsPerMinute).')
param authPermitsPerMinute int = 20

@minValue(100000)
@description('PBKDF2 iterations of new password hashes (Auth__PasswordHashIterations). Tests run with fewer; Azure never does.')
param authPasswordHashIterations int = 100000

@minValue(0)
@maxValue(5)
@description('Proxies of ours in front of the function app that append the client address to X-Forwarded-For, e.g. a Front Door (Auth__TrustedProxyHops). 0: the address the Functions host saw.')
param authTrustedProxyHops int = 0

// Login throttling: docs/security.md, Authentication.
@minValue(1)
@description('Wrong passwords per account and client address before each next attempt waits (Auth__LockoutFreeFailures).')
param authLockoutFreeFailures int = 5

@minValue(1)
@description('First wait after the free failures, doubling with each further one (Auth__LockoutBaseDelaySeconds).')
param authLockoutBaseDelaySeconds int = 1

@minValue(1)
@description('Longest wait between attempts of one account and client address (Auth__LockoutMaxDelayMinutes).')
param authLockoutMaxDelayMinutes int = 15

@minValue(1)
@description('Attempts per hour on one account from all clients before the account-wide throttle (Auth__AccountFailuresPerHour).')
param authAccountFailuresPerHour int = 100

@minValue(1)
@description('Under the account-wide throttle, one attempt per this many seconds (Auth__AccountIntervalSeconds).')
param authAccountIntervalSeconds int = 30

@description('Serve the API docs (Swagger UI at /api/docs and the OpenAPI document) from the deployed app (Api__DocsEnabled). Off unless a deployment wants them public.')
param apiDocsEnabled bool = false

// ---------------------------------------------------------------- timers

@allowed([
  512
  2048
  4096
])
@description('Instance memory of the timers app, MB: more than the API, archive export and compression run there.')
param timersInstanceMemoryMB int = 4096

@minValue(40)
@maxValue(1000)
@description('Maximum instance count of the timers app (timer triggers run on one instance at a time).')
param timersMaximumInstanceCount int = 40

@description('UTC NCRONTAB (with seconds) schedules of the maintenance jobs.')
param partitionMaintenanceSchedule string = '0 15 2 * * *'
param cacheExpirySchedule string = '0 */10 * * * *'
param analyzeTablesSchedule string = '0 45 3 * * *'
param retentionPurgeSchedule string = '0 30 4 * * *'
param refreshReportingSchedule string = '0 5 * * * *'
param providerKeyRewrapSchedule string = '0 20 * * * *'
param notificationRemindersSchedule string = '0 */15 * * * *'
param planningLeasesSchedule string = '0 * * * * *'
param erasureRewriteSchedule string = '0 0 3 1 * *'

@minValue(30)
@description('Time budget of one job run in seconds; keep it well inside the host functionTimeout.')
param jobTimeBudgetSeconds int = 480

// Tuning of the row-level jobs (Maintenance__…, checked at the app's start). Per-table retention periods are not
// here: they live in maintenance.table_settings, changed with an UPDATE (`Functions.Timers policy` shows them).
@minValue(1)
@maxValue(100000)
@description('RetentionPurge: rows per DELETE of sessions, idempotency keys and ledger rows (Maintenance__PurgeBatchSize).')
param maintenancePurgeBatchSize int = 1000

@minValue(1)
@maxValue(10000)
@description('RetentionPurge: users per DELETE; each cascades into many rows (Maintenance__PurgeUserBatchSize).')
param maintenancePurgeUserBatchSize int = 100

@minValue(0)
@maxValue(1000)
@description('Pace of the batched deletes: rest this % of each batch\'s time after it; 200 = at most a third of the database\'s time (Maintenance__PurgeRestPercent).')
param maintenancePurgeRestPercent int = 200

@minValue(1)
@maxValue(1000000)
@description('CacheExpiry: search-cache hits folded per transaction (Maintenance__CacheFoldBatchSize).')
param maintenanceCacheFoldBatchSize int = 10000

@minValue(1)
@maxValue(100000)
@description('CacheExpiry: catalog rows (booking links, reviews, provider data) per statement (Maintenance__CacheExpiryBatchSize).')
param maintenanceCacheExpiryBatchSize int = 1000

@minValue(1)
@maxValue(1000000000)
@description('AnalyzeTables: least modifications since the last ANALYZE before a plain table is due (Maintenance__AnalyzeMinModifications).')
param maintenanceAnalyzeMinModifications int = 1000

@minValue(0)
@maxValue(100)
@description('AnalyzeTables: or this % of its live rows, whichever is more (Maintenance__AnalyzeModifiedPercent).')
param maintenanceAnalyzeModifiedPercent int = 10

// ---------------------------------------------------------------- archive

@description('Blob container of partition archives (ArchiveContainer).')
param archiveContainerName string = 'archive'

@minValue(0)
@description('Delete archives this many days after they were written; 0 = never. When set, use more than 180 (they move to the archive tier at 180 days).')
param archiveDeleteAfterDays int = 0

// ---------------------------------------------------------------- secrets (all optional)

@secure()
@description('Neon POOLED endpoint, role travel_app -> secret TravelDb-app. Empty = set it later in Key Vault.')
param travelDbAppConnectionString string = ''

@secure()
@description('Neon POOLED endpoint, role travel_maintenance -> secret TravelDb-maintenance. Empty = set it later in Key Vault.')
param travelDbMaintenanceConnectionString string = ''

@secure()
@description('Neon DIRECT endpoint, role travel_owner -> secret TravelDbDirect. Empty = set it later in Key Vault.')
param travelDbDirectConnectionString string = ''

@secure()
@description('JWT HMAC signing key, at least 32 random bytes -> secret Jwt-SigningKey. Empty = set it later in Key Vault.')
param jwtSigningKey string = ''

@secure()
@description('Key-encryption key of travellers\' provider keys: 32 random bytes in base64 -> secret ProviderKeys-Kek. Empty = set it later in Key Vault.')
param providerKeysKek string = ''

@description('During a provider-key KEK rotation only: the version id of the ProviderKeys-Kek secret that wrapped keys until now (ProviderKeys__PreviousKey), until the ProviderKeyRewrap job reports none left. Empty the rest of the time.')
param providerKeysPreviousKekVersion string = ''

@description('During a JWT key rollover only: the version id of the Jwt-SigningKey secret that signed tokens until now, still accepted for one access-token lifetime (Jwt__PreviousSigningKey). Empty the rest of the time.')
param jwtPreviousSigningKeyVersion string = ''

@description('Turn purge protection on for the Key Vault (cannot be turned off again).')
param keyVaultPurgeProtection bool = true

@description('Object id of the deployment pipeline principal: gets Key Vault Secrets User to read TravelDbDirect for migrations. Empty = none.')
param pipelinePrincipalId string = ''

// (Named vault*, not secrets*: these are object ids, not secrets, and the linter rightly insists
// that anything named like a secret be @secure().)
@description('Object id of the DevOps group (or person) that sets secrets: gets Key Vault Secrets Officer. Empty = none.')
param vaultOfficerPrincipalId string = ''

@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param vaultOfficerPrincipalType string = 'Group'

// ---------------------------------------------------------------- names

var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var names = {
  logAnalytics: 'log-travel-${environmentName}'
  applicationInsights: 'appi-travel-${environmentName}'
  identity: 'id-travel-${environmentName}'
  keyVault: 'kv-trv-${environmentName}-${take(token, 6)}'
  hostStorage: 'sttrvfn${take(token, 13)}'
  archiveStorage: 'sttrvarc${take(token, 13)}'
  httpPlan: 'plan-travel-http-${environmentName}'
  timersPlan: 'plan-travel-timers-${environmentName}'
  httpApp: 'func-travel-http-${environmentName}-${take(token, 6)}'
  timersApp: 'func-travel-timers-${environmentName}-${take(token, 6)}'
  httpDeploymentContainer: 'app-package-http'
  timersDeploymentContainer: 'app-package-timers'
}
var allTags = union(tags, {
  application: 'travelfunctions'
  environment: environmentName
})

// Key Vault secret names the app settings reference.
// References are versionless: an app picks up a rotated secret when it restarts.
var keyVaultReferenceFormat = '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName={0})'
var secretNames = {
  travelDbApp: 'TravelDb-app'
  travelDbMaintenance: 'TravelDb-maintenance'
  travelDbDirect: 'TravelDbDirect'
  jwtSigningKey: 'Jwt-SigningKey'
  providerKeysKek: 'ProviderKeys-Kek'
}

// ---------------------------------------------------------------- resources

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: allTags
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    location: location
    tags: allTags
    name: names.identity
  }
}

module hostStorage 'modules/hostStorage.bicep' = {
  name: 'hostStorage'
  params: {
    location: location
    tags: allTags
    name: names.hostStorage
    deploymentContainerNames: [
      names.httpDeploymentContainer
      names.timersDeploymentContainer
    ]
  }
}

module archiveStorage 'modules/archiveStorage.bicep' = {
  name: 'archiveStorage'
  params: {
    location: location
    tags: allTags
    name: names.archiveStorage
    containerName: archiveContainerName
    coolAfterDays: 30
    archiveAfterDays: 180
    deleteAfterDays: archiveDeleteAfterDays
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  params: {
    location: location
    tags: allTags
    name: names.keyVault
    enablePurgeProtection: keyVaultPurgeProtection
    secrets: {
      '${secretNames.travelDbApp}': travelDbAppConnectionString
      '${secretNames.travelDbMaintenance}': travelDbMaintenanceConnectionString
      '${secretNames.travelDbDirect}': travelDbDirectConnectionString
      '${secretNames.jwtSigningKey}': jwtSigningKey
      '${secretNames.providerKeysKek}': providerKeysKek
    }
  }
}

// Names, not module outputs, so what-if can resolve every assignment before deployment; the
// resources must exist first, hence the explicit dependsOn.
module roleAssignments 'modules/roleAssignments.bicep' = {
  name: 'roleAssignments'
  params: {
    identityName: names.identity
    identityPrincipalId: identity.outputs.principalId
    hostStorageName: names.hostStorage
    archiveStorageName: names.archiveStorage
    archiveContainerName: archiveContainerName
    keyVaultName: names.keyVault
    applicationInsightsName: names.applicationInsights
    vaultReaderPrincipalId: pipelinePrincipalId
    vaultOfficerPrincipalId: vaultOfficerPrincipalId
    vaultOfficerPrincipalType: vaultOfficerPrincipalType
  }
  dependsOn: [
    hostStorage
    archiveStorage
    keyVault
    monitoring
  ]
}

// ---------------------------------------------------------------- app settings
// Exactly the settings the code reads (infra/app-settings.json); nothing else.

// Host storage, telemetry and the identity every Azure SDK client in the apps uses.
var commonAppSettings = {
  AzureWebJobsStorage__accountName: hostStorage.outputs.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
  AZURE_CLIENT_ID: identity.outputs.clientId
}

// Both apps open travellers' provider keys: the HTTP app to seal and use them, the timers app to re-wrap them.
var providerKeySettings = union(commonAppSettings, {
  ProviderKeys__CurrentKey: format(keyVaultReferenceFormat, secretNames.providerKeysKek)
  ProviderKeys__PreviousKey: empty(providerKeysPreviousKekVersion) ? '' : '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=${secretNames.providerKeysKek};SecretVersion=${providerKeysPreviousKekVersion})'
})

// The API never gets the owner's direct connection string: only the timers app (partition DDL,
// archive COPY) and the pipeline (migrations) use TravelDbDirect.
var httpAppSettings = union(providerKeySettings, {
  TravelDb: format(keyVaultReferenceFormat, secretNames.travelDbApp)
  Jwt__Issuer: jwtIssuer
  Jwt__Audience: jwtAudience
  Jwt__SigningKey: format(keyVaultReferenceFormat, secretNames.jwtSigningKey)
  Jwt__PreviousSigningKey: empty(jwtPreviousSigningKeyVersion) ? '' : '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=${secretNames.jwtSigningKey};SecretVersion=${jwtPreviousSigningKeyVersion})'
  Jwt__AccessTokenMinutes: string(jwtAccessTokenMinutes)
  Jwt__RefreshTokenDays: string(jwtRefreshTokenDays)
  Auth__PermitsPerMinute: string(authPermitsPerMinute)
  Auth__PasswordHashIterations: string(authPasswordHashIterations)
  Auth__TrustedProxyHops: string(authTrustedProxyHops)
  Auth__LockoutFreeFailures: string(authLockoutFreeFailures)
  Auth__LockoutBaseDelaySeconds: string(authLockoutBaseDelaySeconds)
  Auth__LockoutMaxDelayMinutes: string(authLockoutMaxDelayMinutes)
  Auth__AccountFailuresPerHour: string(authAccountFailuresPerHour)
  Auth__AccountIntervalSeconds: string(authAccountIntervalSeconds)
  Api__DocsEnabled: apiDocsEnabled ? 'true' : 'false'
})

var timersAppSettings = union(providerKeySettings, {
  TravelDb: format(keyVaultReferenceFormat, secretNames.travelDbMaintenance)
  TravelDbDirect: format(keyVaultReferenceFormat, secretNames.travelDbDirect)
  ArchiveStorage: 'https://${archiveStorage.outputs.name}.blob.${environment().suffixes.storage}'
  ArchiveContainer: archiveStorage.outputs.containerName
  PartitionMaintenanceSchedule: partitionMaintenanceSchedule
  ErasureRewriteSchedule: erasureRewriteSchedule
  CacheExpirySchedule: cacheExpirySchedule
  AnalyzeTablesSchedule: analyzeTablesSchedule
  RetentionPurgeSchedule: retentionPurgeSchedule
  RefreshReportingSchedule: refreshReportingSchedule
  ProviderKeyRewrapSchedule: providerKeyRewrapSchedule
  NotificationRemindersSchedule: notificationRemindersSchedule
  PlanningLeasesSchedule: planningLeasesSchedule
  JobTimeBudgetSeconds: string(jobTimeBudgetSeconds)
  Maintenance__PurgeBatchSize: string(maintenancePurgeBatchSize)
  Maintenance__PurgeUserBatchSize: string(maintenancePurgeUserBatchSize)
  Maintenance__PurgeRestPercent: string(maintenancePurgeRestPercent)
  Maintenance__CacheFoldBatchSize: string(maintenanceCacheFoldBatchSize)
  Maintenance__CacheExpiryBatchSize: string(maintenanceCacheExpiryBatchSize)
  Maintenance__AnalyzeMinModifications: string(maintenanceAnalyzeMinModifications)
  Maintenance__AnalyzeModifiedPercent: string(maintenanceAnalyzeModifiedPercent)
})

// ---------------------------------------------------------------- function apps

module httpApp 'modules/functionApp.bicep' = {
  name: 'httpApp'
  params: {
    location: location
    tags: allTags
    planName: names.httpPlan
    appName: names.httpApp
    identityId: identity.outputs.id
    deploymentStorageBlobEndpoint: hostStorage.outputs.blobEndpoint
    deploymentContainerName: names.httpDeploymentContainer
    instanceMemoryMB: httpInstanceMemoryMB
    maximumInstanceCount: httpMaximumInstanceCount
    corsAllowedOrigins: corsAllowedOrigins
    appSettings: httpAppSettings
  }
  // Key Vault references and identity-based host storage resolve at start-up: roles first.
  dependsOn: [
    roleAssignments
  ]
}

module timersApp 'modules/functionApp.bicep' = {
  name: 'timersApp'
  params: {
    location: location
    tags: allTags
    planName: names.timersPlan
    appName: names.timersApp
    identityId: identity.outputs.id
    deploymentStorageBlobEndpoint: hostStorage.outputs.blobEndpoint
    deploymentContainerName: names.timersDeploymentContainer
    instanceMemoryMB: timersInstanceMemoryMB
    maximumInstanceCount: timersMaximumInstanceCount
    corsAllowedOrigins: [] // timers serve no browser
    appSettings: timersAppSettings
  }
  dependsOn: [
    roleAssignments
  ]
}

// ---------------------------------------------------------------- outputs

output httpAppName string = httpApp.outputs.name
output httpAppHostName string = httpApp.outputs.defaultHostName
output timersAppName string = timersApp.outputs.name
output timersAppHostName string = timersApp.outputs.defaultHostName
output keyVaultName string = keyVault.outputs.name
output archiveContainerUrl string = 'https://${archiveStorage.outputs.name}.blob.${environment().suffixes.storage}/${archiveStorage.outputs.containerName}'
output identityClientId string = identity.outputs.clientId
