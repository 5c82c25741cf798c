# The deployer: a Flex Consumption function app (Node 22) with a system-assigned
# identity, and its storage account (host state, release tables, work queue,
# package container, Event Grid dead letters). No shared keys anywhere.
# `name` carries the stack's unique suffix: <name>.azurewebsites.net is global.
variable "name" { type = string }
variable "storage_account_name" { type = string }
variable "location" { type = string }
variable "resource_group_name" { type = string }
variable "app_insights_connection_string" {
  type      = string
  sensitive = true
}
variable "log_analytics_workspace_id" { type = string }
# The deployer's own settings (src/services/config.ts); the host's are added below.
variable "app_settings" { type = map(string) }
variable "tags" { type = map(string) }
# Dashboard sign-in (App Service Authentication with Entra ID); off while entra_client_id is empty.
variable "entra_client_id" {
  type    = string
  default = ""
}
variable "entra_tenant_id" { type = string }
variable "dashboard_allowed_groups" {
  type    = list(string)
  default = []
}

resource "azurerm_storage_account" "this" {
  #checkov:skip=CKV_AZURE_35:The Flex Consumption host reaches its storage over the public endpoint unless VNet-integrated; shared keys are disabled, so only Entra identities with data roles get in.
  #checkov:skip=CKV_AZURE_59:Same reason as CKV_AZURE_35.
  #checkov:skip=CKV2_AZURE_33:Private endpoints need VNet integration of the function app; out of this sandbox's scope.
  #checkov:skip=CKV2_AZURE_1:Microsoft-managed keys; a customer-managed key adds a Key Vault key lifecycle for release metadata that holds no secrets.
  #checkov:skip=CKV_AZURE_33:Queue access logs are sent to Log Analytics by the diagnostic setting below (classic Storage Analytics logging needs shared-key access, which is disabled).
  name                            = var.storage_account_name
  location                        = var.location
  resource_group_name             = var.resource_group_name
  account_tier                    = "Standard"
  account_replication_type        = "GZRS"
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  shared_access_key_enabled       = false
  default_to_oauth_authentication = true
  allow_nested_items_to_be_public = false
  public_network_access_enabled   = true
  tags                            = var.tags

  blob_properties {
    delete_retention_policy {
      days = 7
    }
    container_delete_retention_policy {
      days = 7
    }
  }

  sas_policy {
    expiration_period = "00.01:00:00"
  }
}

resource "azurerm_storage_container" "package" {
  #checkov:skip=CKV2_AZURE_21:Blob read/write/delete logs go to Log Analytics through azurerm_monitor_diagnostic_setting.storage (allLogs); checkov only recognises classic Storage Analytics logging, which needs shared keys.
  name                  = "app-package"
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

resource "azurerm_storage_container" "deadletter" {
  #checkov:skip=CKV2_AZURE_21:See the package container: logged by the diagnostic setting below.
  name                  = "eventgrid-deadletter"
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

# Storage data-plane logs (who read or changed releases and queue items).
resource "azurerm_monitor_diagnostic_setting" "storage" {
  for_each                   = toset(["blobServices", "queueServices", "tableServices"])
  name                       = "to-log-analytics"
  target_resource_id         = "${azurerm_storage_account.this.id}/${each.key}/default"
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {
    category_group = "allLogs"
  }
}

resource "azurerm_service_plan" "this" {
  #checkov:skip=CKV_AZURE_225:Flex Consumption (FC1) plans have no zone-redundancy or worker-count setting; the platform places and scales instances per app.
  #checkov:skip=CKV_AZURE_212:Same: FC1 has no fixed instance count; always_ready instances can be added on the app if cold starts matter.
  name                = "asp-${var.name}"
  location            = var.location
  resource_group_name = var.resource_group_name
  os_type             = "Linux"
  sku_name            = "FC1"
  tags                = var.tags
}

resource "azurerm_function_app_flex_consumption" "this" {
  #checkov:skip=CKV_AZURE_221:GitHub webhooks and Event Grid deliver from the internet; every route except /api/health needs an HMAC signature or a function key.
  name                                           = "func-${var.name}"
  location                                       = var.location
  resource_group_name                            = var.resource_group_name
  service_plan_id                                = azurerm_service_plan.this.id
  storage_container_type                         = "blobContainer"
  storage_container_endpoint                     = "${azurerm_storage_account.this.primary_blob_endpoint}${azurerm_storage_container.package.name}"
  storage_authentication_type                    = "SystemAssignedIdentity"
  runtime_name                                   = "node"
  runtime_version                                = "22"
  maximum_instance_count                         = 40
  instance_memory_in_mb                          = 2048
  https_only                                     = true
  public_network_access_enabled                  = true
  webdeploy_publish_basic_authentication_enabled = false
  tags                                           = var.tags

  identity {
    type = "SystemAssigned"
  }

  site_config {
    application_insights_connection_string = var.app_insights_connection_string
    minimum_tls_version                    = "1.2"
    http2_enabled                          = true
  }

  # The dashboard's sign-in. Anonymous requests still pass (webhooks, Event Grid, scripts with a
  # function key: the key stays the API's authority); a signed-in browser's requests carry the
  # Entra principal (x-ms-client-principal, which App Service strips from what clients send), and
  # the deployer shows it and records it on every action.
  dynamic "auth_settings_v2" {
    for_each = var.entra_client_id == "" ? [] : [var.entra_client_id]
    content {
      auth_enabled           = true
      require_authentication = false
      unauthenticated_action = "AllowAnonymous"
      require_https          = true
      active_directory_v2 {
        client_id            = auth_settings_v2.value
        tenant_auth_endpoint = "https://login.microsoftonline.com/${var.entra_tenant_id}/v2.0"
        allowed_groups       = var.dashboard_allowed_groups
      }
      login {
        token_store_enabled = false
        # Back to the release that was open (#/releases/r-…) after signing in.
        preserve_url_fragments_for_logins = true
      }
    }
  }

  # What the app starts with; from then on the deployment below owns the settings.
  app_settings = merge(var.app_settings, local.storage_settings)

  lifecycle {
    ignore_changes = [app_settings]
  }
}

locals {
  # Identity-based storage for the host and the app: no account key exists.
  storage_settings = {
    AzureWebJobsStorage__accountName = azurerm_storage_account.this.name
    AzureWebJobsStorage__credential  = "managedidentity"
  }
  # Exactly the app settings the deployer runs with: nothing else is left in the app.
  app_settings = merge(var.app_settings, local.storage_settings, {
    # The host name Azure gave the app (it may carry a generated suffix).
    TAILSPIN_PUBLIC_URL                   = "https://${azurerm_function_app_flex_consumption.this.default_hostname}"
    APPLICATIONINSIGHTS_CONNECTION_STRING = var.app_insights_connection_string
    # The host sends its telemetry with the app's managed identity (Application Insights local auth is off).
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING = "Authorization=AAD"
  })
}

# azurerm writes AzureWebJobsStorage = "…;AccountKey=;…" into a Flex Consumption app on every create
# and update, even with identity-based storage (function_app_flex_consumption_resource.go;
# hashicorp/terraform-provider-azurerm#29693, #29149; Azure/azure-functions-host#11796); the host
# and the storage SDKs then fail on the empty key. This ARM PUT of sites/config/appsettings replaces
# the whole set with local.app_settings, after the app is created and after every change to it.
resource "azurerm_resource_group_template_deployment" "app_settings" {
  name                = "${azurerm_function_app_flex_consumption.this.name}-appsettings"
  resource_group_name = var.resource_group_name
  deployment_mode     = "Incremental"
  template_content = jsonencode({
    "$schema"      = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
    contentVersion = "1.0.0.0"
    # secureObject: the values (a connection string) stay out of the deployment history.
    parameters = { site = { type = "string" }, settings = { type = "secureObject" } }
    resources = [{
      type       = "Microsoft.Web/sites/config"
      apiVersion = "2024-04-01"
      name       = "[format('{0}/appsettings', parameters('site'))]"
      properties = "[parameters('settings')]"
    }]
  })
  parameters_content = jsonencode({
    site     = { value = azurerm_function_app_flex_consumption.this.name }
    settings = { value = local.app_settings }
  })

  lifecycle {
    # Any update of the app re-adds the key-less setting: put the settings back each time.
    replace_triggered_by = [azurerm_function_app_flex_consumption.this]
  }
}

output "id" { value = azurerm_function_app_flex_consumption.this.id }
output "name" { value = azurerm_function_app_flex_consumption.this.name }
output "hostname" { value = azurerm_function_app_flex_consumption.this.default_hostname }
output "principal_id" { value = azurerm_function_app_flex_consumption.this.identity[0].principal_id }
output "storage_account_id" { value = azurerm_storage_account.this.id }
output "storage_account_name" { value = azurerm_storage_account.this.name }
output "deadletter_container_id" { value = azurerm_storage_container.deadletter.id }
output "deadletter_container_name" { value = azurerm_storage_container.deadletter.name }
