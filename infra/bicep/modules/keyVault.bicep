// Key Vault in RBAC mode. It holds the Neon connection strings and the JWT signing key; the apps
// read them through Key Vault references resolved with the user-assigned identity.
// A secret is written only when its parameter is non-empty: with an empty parameter the template
// leaves the secret alone, so DevOps can set (and rotate) it with `az keyvault secret set`
// without a later deployment overwriting it. See docs/deploy.md.

import { resourceTags } from '../types.bicep'

param location string
param tags resourceTags
param name string

@description('Protect deleted vaults and secrets from purge for the retention period (recommended for production).')
param enablePurgeProtection bool = true

@description('Secret name -> value. Empty values are skipped (set them later with az keyvault secret set).')
@secure()
param secrets {
  *: string
} = {}

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Purge protection cannot be turned off again once on; null leaves it unset.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

resource vaultSecrets 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = [
  for secret in items(secrets): if (!empty(secret.value)) {
    parent: vault
    name: secret.key
    properties: {
      value: secret.value
      contentType: 'text/plain'
    }
  }
]

output name string = vault.name
output uri string = vault.properties.vaultUri
