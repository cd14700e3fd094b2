// Least-privilege role assignments for the apps' user-assigned identity, plus optional ones for
// the people/pipelines that manage secrets. Built-in role definition ids:
//   Storage Blob Data Owner          b7e6dc6d-f1e8-4753-8033-0f276bb0955b
//   Storage Queue Data Contributor   974c5e8b-45b9-4653-ba55-5f855dd0fb88
//   Storage Table Data Contributor   0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3
//   Storage Blob Data Contributor    ba92f5b4-2d11-453d-a403-e96b0029c9fe
//   Key Vault Secrets User           4633458b-17de-408a-b874-0445c86b69e6
//   Key Vault Secrets Officer        b86a8fe4-44ce-4948-aee5-eccb2c155cd7
//   Monitoring Metrics Publisher     3913510d-42f4-4e42-8a64-420c390055eb
//
// Every name and scope here is known when the template is compiled (the caller passes resource
// names, not module outputs, and assignment names hash the identity's name, not its runtime
// principal id), so `az deployment group what-if` can show each assignment precisely.

@description('Name of the user-assigned identity: part of each assignment name, known before deployment.')
param identityName string

@description('Principal (object) id of that identity: who gets the roles.')
param identityPrincipalId string

param hostStorageName string
param archiveStorageName string
param archiveContainerName string
param keyVaultName string
param applicationInsightsName string

@description('Optional principal (e.g. the deployment pipeline) that reads secrets: Key Vault Secrets User.')
param vaultReaderPrincipalId string = ''

@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param vaultReaderPrincipalType string = 'ServicePrincipal'

@description('Optional principal (e.g. a DevOps group) that writes secrets: Key Vault Secrets Officer.')
param vaultOfficerPrincipalId string = ''

@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param vaultOfficerPrincipalType string = 'Group'

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// The Functions host's own storage (AzureWebJobsStorage by identity): blobs for timer-trigger
// locks, host keys and the Flex deployment package; queues and tables for the host's internal
// bookkeeping. These are the three data roles the official Flex Consumption samples grant.
var hostStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource hostStorage 'Microsoft.Storage/storageAccounts@2026-09-01' existing = {
  name: hostStorageName
}

resource archiveStorage 'Microsoft.Storage/storageAccounts@2026-09-01' existing = {
  name: archiveStorageName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource archiveContainer 'containers' existing = {
      name: archiveContainerName
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource hostStorageAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in hostStorageRoles: {
    name: guid(hostStorage.id, identityName, role)
    scope: hostStorage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: identityPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

// The archive job uploads, reads back (verify), lists and deletes blobs in the archive container only.
resource archiveContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(archiveStorage::blobService::archiveContainer.id, identityName, roles.storageBlobDataContributor)
  scope: archiveStorage::blobService::archiveContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Key Vault references: read secret values, nothing else.
resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identityName, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Entra-authenticated telemetry ingestion (local auth is disabled on the component).
resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identityName, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource pipelineSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(vaultReaderPrincipalId)) {
  name: guid(vault.id, vaultReaderPrincipalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: vaultReaderPrincipalId
    principalType: vaultReaderPrincipalType
  }
}

resource devopsSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(vaultOfficerPrincipalId)) {
  name: guid(vault.id, vaultOfficerPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: vaultOfficerPrincipalId
    principalType: vaultOfficerPrincipalType
  }
}
