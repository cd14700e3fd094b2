// Optional: Neon Serverless Postgres through its Azure native resource provider
// (Neon.Postgres/organizations, GA api version 2025-03-01). It creates the Neon organization
// (billed through an Azure Marketplace SaaS subscription) and one project in it.
// The resource provider does not return connection strings as deployment outputs: after it
// runs, copy the pooled and direct connection strings from the Neon console into Key Vault
// (docs/deploy.md, "Neon"). Requires Owner or Contributor on the subscription and accepting
// the Marketplace terms of the offer.

import { resourceTags } from '../types.bicep'

param location string
param tags resourceTags

@description('Name of the Azure resource for the Neon organization.')
param resourceName string

@description('Organization name shown in Neon.')
param organizationName string

@description('UPN (sign-in name) of the user the Neon organization is created for.')
param userUpn string

@description('Neon project name.')
param projectName string

@description('Region of the Neon project as the resource provider names it (defaults to the Azure location).')
param regionId string = location

@description('Postgres major version of the project: the one the tests run against (scripts/stack.sh, PostgreSQL 15).')
param pgVersion int = 15

@description('Marketplace plan of the Neon offer (publisher neon1722366567200, offer neon_serverless_postgres_azure_prod).')
param planId string = 'neon_serverless_postgres_azure_prod_free'
param planName string = 'Free Plan'
param termId string = 'gmz7xq9ge3py'

// The Bicep compiler ships no types for Neon.Postgres (BCP081: it cannot check the properties, and
// ARM still deploys them). The properties below follow the provider's 2025-03-01 API schema.
#disable-next-line BCP081
resource organization 'Neon.Postgres/organizations@2025-03-01' = {
  name: resourceName
  location: location
  tags: tags
  properties: {
    companyDetails: {}
    marketplaceDetails: {
      subscriptionId: subscription().id
      offerDetails: {
        publisherId: 'neon1722366567200'
        offerId: 'neon_serverless_postgres_azure_prod'
        planId: planId
        planName: planName
        termId: termId
        termUnit: 'P1M'
      }
    }
    partnerOrganizationProperties: {
      organizationName: organizationName
    }
    userDetails: {
      upn: userUpn
    }
  }
}

#disable-next-line BCP081
resource project 'Neon.Postgres/organizations/projects@2025-03-01' = {
  parent: organization
  name: projectName
  properties: {
    entityName: projectName
    pgVersion: pgVersion
    regionId: regionId
  }
}

output organizationId string = organization.id
output projectName string = project.name
