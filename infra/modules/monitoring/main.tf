# Log Analytics (30 days), workspace-based Application Insights, and the data
# collection rule that Container Insights uses with managed-identity auth.
variable "name" { type = string }
variable "location" { type = string }
variable "resource_group_name" { type = string }
variable "retention_days" { type = number }
# Ingestion stops for the rest of the UTC day at this many GB (-1: no cap).
variable "daily_quota_gb" { type = number }
# Application Insights accepts only Entra ID-authenticated telemetry when false.
variable "app_insights_local_auth_enabled" { type = bool }
variable "tags" { type = map(string) }

resource "azurerm_log_analytics_workspace" "this" {
  name                = "log-${var.name}"
  location            = var.location
  resource_group_name = var.resource_group_name
  sku                 = "PerGB2018"
  retention_in_days   = var.retention_days
  daily_quota_gb      = var.daily_quota_gb
  # No shared keys: agents (Container Insights with managed identity) and queries (the deployer, the
  # alerts) authenticate with Entra ID.
  local_authentication_enabled = false
  tags                         = var.tags
}

resource "azurerm_application_insights" "this" {
  name                = "appi-${var.name}"
  location            = var.location
  resource_group_name = var.resource_group_name
  application_type    = "web"
  workspace_id        = azurerm_log_analytics_workspace.this.id
  retention_in_days   = var.retention_days
  # Off: the instrumentation key in a connection string is no credential; senders need Entra ID and
  # "Monitoring Metrics Publisher" (the deployer's identity, the apps' workload identity).
  local_authentication_enabled = var.app_insights_local_auth_enabled
  tags                         = var.tags
}

resource "azurerm_monitor_data_collection_rule" "container_insights" {
  name                = "dcr-${var.name}-ci"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = var.tags

  destinations {
    log_analytics {
      name                  = "workspace"
      workspace_resource_id = azurerm_log_analytics_workspace.this.id
    }
  }

  data_flow {
    streams      = ["Microsoft-ContainerInsights-Group-Default"]
    destinations = ["workspace"]
  }

  data_sources {
    extension {
      name           = "ContainerInsightsExtension"
      extension_name = "ContainerInsights"
      streams        = ["Microsoft-ContainerInsights-Group-Default"]
      extension_json = jsonencode({
        dataCollectionSettings = {
          interval               = "1m"
          namespaceFilteringMode = "Off"
          enableContainerLogV2   = true
        }
      })
    }
  }
}

output "workspace_id" { value = azurerm_log_analytics_workspace.this.id }
# The GUID the Logs query API takes (LOG_ANALYTICS_WORKSPACE_ID).
output "workspace_customer_id" { value = azurerm_log_analytics_workspace.this.workspace_id }
output "app_insights_id" { value = azurerm_application_insights.this.id }
output "app_insights_connection_string" {
  value     = azurerm_application_insights.this.connection_string
  sensitive = true
}
output "container_insights_dcr_id" { value = azurerm_monitor_data_collection_rule.container_insights.id }
