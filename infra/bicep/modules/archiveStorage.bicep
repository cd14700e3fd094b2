// Storage for cold partition archives (export -> upload -> verify -> manifest -> drop).
// Shared keys disabled; the timers app writes with Microsoft Entra tokens of the user-assigned
// identity, which holds Storage Blob Data Contributor on the archive container only.
// The lifecycle policy is scoped by prefix to the archive container: cool after 30 days,
// archive after 180, optionally delete after N days.

import { resourceTags } from '../types.bicep'

param location string
param tags resourceTags
param name string
param containerName string

@allowed([
  'Standard_LRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
@description('Replication of the archive account. The archive tier needs LRS, GRS or RA-GRS (not ZRS).')
param skuName string = 'Standard_LRS'

@minValue(1)
param coolAfterDays int = 30

@minValue(1)
param archiveAfterDays int = 180

@minValue(0)
@description('Delete archived blobs this many days after their last modification; 0 = never. When set, keep it above the archive-tier days.')
param deleteAfterDays int = 0

resource storage 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
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

resource archiveContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' = {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}

var tiering = {
  tierToCool: {
    daysAfterModificationGreaterThan: coolAfterDays
  }
  tierToArchive: {
    daysAfterModificationGreaterThan: archiveAfterDays
  }
}
var deletion = deleteAfterDays > 0
  ? {
      delete: {
        daysAfterModificationGreaterThan: deleteAfterDays
      }
    }
  : {}

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2026-09-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'archive-container-tiering'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              // A prefix that starts with the container name limits the rule to that container.
              prefixMatch: [
                '${containerName}/'
              ]
            }
            actions: {
              baseBlob: union(tiering, deletion)
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    archiveContainer
  ]
}

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output containerName string = archiveContainer.name
