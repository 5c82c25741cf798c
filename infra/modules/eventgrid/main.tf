# ACR push events → the deployer's Event Grid trigger, ImagePushed only,
# retried for a day, then dead-lettered to blob storage for inspection.
variable "name" { type = string }
variable "location" { type = string }
variable "resource_group_name" { type = string }
variable "registry_id" { type = string }
variable "function_app_id" { type = string }
variable "function_name" {
  type    = string
  default = "acrImagePushed"
}
variable "create_subscription" { type = bool }
variable "deadletter_storage_account_id" { type = string }
variable "deadletter_container_name" { type = string }
# ARM id of the container (role assignment scope).
variable "deadletter_container_id" { type = string }
variable "tags" { type = map(string) }

resource "azurerm_eventgrid_system_topic" "acr" {
  name                = "egst-${var.name}-acr"
  location            = var.location
  resource_group_name = var.resource_group_name
  source_resource_id  = var.registry_id
  topic_type          = "Microsoft.ContainerRegistry.Registries"
  tags                = var.tags

  # Writes dead letters with its own identity (the storage account has no keys).
  identity {
    type = "SystemAssigned"
  }
}

# The topic may write blobs to the dead-letter container only.
resource "azurerm_role_assignment" "deadletter_writer" {
  scope                = var.deadletter_container_id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_eventgrid_system_topic.acr.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_eventgrid_system_topic_event_subscription" "image_pushed" {
  depends_on            = [azurerm_role_assignment.deadletter_writer]
  count                 = var.create_subscription ? 1 : 0
  name                  = "acr-image-pushed-to-deployer"
  system_topic          = azurerm_eventgrid_system_topic.acr.name
  resource_group_name   = var.resource_group_name
  event_delivery_schema = "EventGridSchema"
  included_event_types  = ["Microsoft.ContainerRegistry.ImagePushed"]

  azure_function_endpoint {
    function_id                       = "${var.function_app_id}/functions/${var.function_name}"
    max_events_per_batch              = 1
    preferred_batch_size_in_kilobytes = 64
  }

  # Event Grid retries with backoff; after 24 h or 30 attempts the event goes
  # to the dead-letter container instead of being dropped.
  retry_policy {
    max_delivery_attempts = 30
    event_time_to_live    = 1440
  }

  dead_letter_identity {
    type = "SystemAssigned"
  }

  storage_blob_dead_letter_destination {
    storage_account_id          = var.deadletter_storage_account_id
    storage_blob_container_name = var.deadletter_container_name
  }
}

output "system_topic_id" { value = azurerm_eventgrid_system_topic.acr.id }
output "principal_id" { value = azurerm_eventgrid_system_topic.acr.identity[0].principal_id }
