// The one user-assigned managed identity both function apps use for everything:
// host storage, deployment storage, the archive container, Key Vault references and App Insights.

import { resourceTags } from '../types.bicep'

param location string
param tags resourceTags
param name string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
