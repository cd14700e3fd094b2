// Log Analytics workspace + workspace-based Application Insights.
// Local (instrumentation-key) auth is disabled: the apps publish telemetry with Microsoft Entra
// tokens of the user-assigned identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING), which needs
// Monitoring Metrics Publisher on this component (see roleAssignments.bicep).

import { resourceTags } from '../types.bicep'

param location string
param tags resourceTags
param logAnalyticsName string
param applicationInsightsName string

@description('Days Log Analytics keeps data (30 is the free-included minimum on PerGB2018).')
param retentionInDays int = 30

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
  }
}

output applicationInsightsName string = applicationInsights.name
// The connection string is not a secret once local auth is disabled: ingestion also needs an Entra token.
output applicationInsightsConnectionString string = applicationInsights.properties.ConnectionString
