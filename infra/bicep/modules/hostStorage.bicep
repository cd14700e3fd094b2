// Storage the Functions host needs: AzureWebJobsStorage (identity-based, shared keys disabled)
// and one deployment container per app (Flex Consumption keeps each app's package there).
// The archive lives in its own account (archiveStorage.bicep) so that the host's broad
// Storage Blob Data Owner role never reaches archived data.

import { resourceTags } from '../types.bicep'

param location string
param tags resourceTags
param name string

@description('Blob containers that hold the Flex Consumption deployment packages, one per app.')
param deploymentContainerNames string[]

resource storage 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-09-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' = [
  for containerName in deploymentContainerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
