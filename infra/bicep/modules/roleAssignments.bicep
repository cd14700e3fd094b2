// Least-privilege role assignments for the apps' user-assigned identity, plus optional ones for
// the people/pipelines that manage secrets. Built-in role definition ids:
//   Storage Blob Data Owner         b7e6dc6d-f1e8-4753-8033-0f276bb0955b
//   Storage Blob Data Contributor   ba92f5b4-2d11-453d-a403-e96b0029c9fe
//   Key Vault Secrets User          4633458b-17de-408a-b874-0445c86b69e6
//   Key Vault Secrets Officer       b86a8fe4-44ce-4948-aee5-eccb2c155cd7
//   Monitoring Metrics Publisher    3913510d-42f4-4e42-8a64-420c390055eb

param identityPrincipalId string
param hostStorageName string
param archiveStorageName string
param archiveContainerName string
param keyVaultName string
param applicationInsightsName string

@description('Optional principal (e.g. the deployment pipeline) that reads secrets: Key Vault Secrets User.')
param secretsReaderPrincipalId string = ''
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param secretsReaderPrincipalType string = 'ServicePrincipal'

@description('Optional principal (e.g. a DevOps group) that writes secrets: Key Vault Secrets Officer.')
param secretsOfficerPrincipalId string = ''
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param secretsOfficerPrincipalType string = 'Group'

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource hostStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: hostStorageName
}

resource archiveStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: archiveStorageName
}

resource archiveBlobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: archiveStorage
  name: 'default'
}

resource archiveContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: archiveBlobService
  name: archiveContainerName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// The Functions host creates and leases its own containers (timer locks, secrets) and Flex
// Consumption reads the deployment package: blob data owner on the host/deployment account.
resource hostStorageOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostStorage.id, identityPrincipalId, roles.storageBlobDataOwner)
  scope: hostStorage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The archive job uploads, reads back (verify), lists and deletes blobs in the archive container only.
resource archiveContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(archiveContainer.id, identityPrincipalId, roles.storageBlobDataContributor)
  scope: archiveContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Key Vault references: read secret values, nothing else.
resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identityPrincipalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Entra-authenticated telemetry ingestion (local auth is disabled on the component).
resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identityPrincipalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource pipelineSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(secretsReaderPrincipalId)) {
  name: guid(vault.id, secretsReaderPrincipalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: secretsReaderPrincipalId
    principalType: secretsReaderPrincipalType
  }
}

resource devopsSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(secretsOfficerPrincipalId)) {
  name: guid(vault.id, secretsOfficerPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: secretsOfficerPrincipalId
    principalType: secretsOfficerPrincipalType
  }
}
