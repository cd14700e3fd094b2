// One Flex Consumption plan (FC1) and one function app on it, running a .NET 10 isolated-worker
// package (functionAppConfig.runtime `dotnet-isolated` / `10.0`). Every app setting comes from the
// `appSettings` parameter and nothing else is added here, so main.bicep alone says what each app
// gets (scripts/check-infra.sh compares it with infra/app-settings.json).
//
// Flex Consumption moved the runtime, scale and deployment source out of app settings and site
// config into functionAppConfig, and rejects the old properties (ARM error 51021 on newer stamps):
// no FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION / WEBSITE_RUN_FROM_PACKAGE settings,
// and no ftpsState, http20Enabled, alwaysOn, linuxFxVersion, use32BitWorkerProcess,
// netFrameworkVersion, functionAppScaleLimit or FTP publishing-credentials policy on the site.
// scripts/check-infra.sh fails if any of them comes back.

import { resourceTags, stringMap } from '../types.bicep'

param location string
param tags resourceTags
param planName string
param appName string

@description('Resource id of the user-assigned identity (storage, deployment, Key Vault references, App Insights).')
param identityId string

@description('Blob endpoint of the host storage account, with its trailing slash.')
param deploymentStorageBlobEndpoint string
param deploymentContainerName string

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Origins allowed to call the app from a browser; empty = no CORS.')
param corsAllowedOrigins string[]

@description('App setting name -> value.')
param appSettings stringMap

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${deploymentStorageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      // The Worker SDK's generated functions.metadata + worker.config.json are in the package;
      // extensions ship in its .azurefunctions/ folder, so there is no extension bundle.
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: false
      }
      appSettings: [
        for setting in items(appSettings): {
          name: setting.key
          value: setting.value
        }
      ]
    }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
