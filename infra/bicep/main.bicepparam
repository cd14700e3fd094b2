// Parameters for one environment. Deploy with:
//   az deployment group create -g <rg> --template-file infra/bicep/main.bicep \
//     --parameters infra/bicep/main.bicepparam
// Secrets are NOT set here. Either set them in Key Vault after the first deployment
// (docs/deploy.md), or pass them from environment variables at deployment time: each secure
// parameter below reads one variable and stays empty (= leave Key Vault alone) when it is unset.
using 'main.bicep'

param environmentName = readEnvironmentVariable('TRAVEL_ENV', 'dev')

param corsAllowedOrigins = [
  'https://app.example.com'
]

// HTTP API: many light instances.
param httpInstanceMemoryMB = 2048
param httpMaximumInstanceCount = 100

// Timers: archive export + gzip streams, so more memory; few instances.
param timersInstanceMemoryMB = 4096
param timersMaximumInstanceCount = 40

param jwtAccessTokenMinutes = 15
param apiDocsEnabled = false // the Swagger UI and OpenAPI document stay off in Azure unless wanted
param jobTimeBudgetSeconds = 480

param archiveContainerName = 'archive'
param archiveDeleteAfterDays = 0 // keep archives forever (cool at 30 days, archive tier at 180)

// Optional secrets, from the deployer's environment only (never written to this file).
param travelDbAppConnectionString = readEnvironmentVariable('TRAVELDB_APP_CONNECTION_STRING', '')
param travelDbMaintenanceConnectionString = readEnvironmentVariable('TRAVELDB_MAINTENANCE_CONNECTION_STRING', '')
param travelDbDirectConnectionString = readEnvironmentVariable('TRAVELDB_DIRECT_CONNECTION_STRING', '')
param jwtSigningKey = readEnvironmentVariable('JWT_SIGNING_KEY', '')
param providerKeysKek = readEnvironmentVariable('PROVIDER_KEYS_KEK', '')
// Not a secret: the version id of the old provider-key KEK during a rotation (docs/security.md).
param providerKeysPreviousKekVersion = readEnvironmentVariable('PROVIDER_KEYS_PREVIOUS_KEK_VERSION', '')
// Not a secret: the version id of the old signing key during a rollover (docs/deploy.md, "Rotating the JWT signing key").
param jwtPreviousSigningKeyVersion = readEnvironmentVariable('JWT_PREVIOUS_SIGNING_KEY_VERSION', '')

// Object ids (not secrets): the pipeline's service principal reads TravelDbDirect for migrations;
// the DevOps group writes secrets.
param pipelinePrincipalId = readEnvironmentVariable('TRAVEL_PIPELINE_PRINCIPAL_ID', '')
param vaultOfficerPrincipalId = readEnvironmentVariable('TRAVEL_SECRETS_OFFICER_ID', '')
param vaultOfficerPrincipalType = readEnvironmentVariable('TRAVEL_SECRETS_OFFICER_TYPE', 'Group')

param keyVaultPurgeProtection = true
