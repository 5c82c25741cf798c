# The AKS cluster: Azure CNI + Azure network policy, Entra ID with Azure RBAC,
# no local accounts, OIDC issuer + workload identity, Container Insights.
variable "name" { type = string }
variable "location" { type = string }
variable "resource_group_name" { type = string }
variable "kubernetes_version" { type = string }
variable "subnet_id" { type = string }
variable "service_cidr" { type = string }
variable "vm_size" { type = string }
variable "min_count" { type = number }
variable "max_count" { type = number }
variable "tenant_id" { type = string }
variable "admin_group_object_ids" { type = list(string) }
# Empty only when the root variable api_server_open_to_internet opted out explicitly.
variable "authorized_ip_ranges" { type = list(string) }
variable "sku_tier" { type = string }
variable "maintenance_window" {
  type = object({
    day_of_week    = string
    start_time     = string
    utc_offset     = string
    duration_hours = number
  })
}
variable "log_analytics_workspace_id" { type = string }
variable "container_insights_dcr_id" { type = string }
variable "tags" { type = map(string) }

resource "azurerm_kubernetes_cluster" "this" {
  #checkov:skip=CKV_AZURE_115:A private API server would need the Flex Consumption deployer in the VNet plus private DNS, and operators a jump host; access is gated by Entra ID + Azure RBAC with local accounts disabled, and authorized_ip_ranges narrows it when set.
  #checkov:skip=CKV_AZURE_6:authorized_ip_ranges is a required variable; it may be empty only with the explicit opt-out api_server_open_to_internet = true (Flex Consumption has no fixed outbound IP without a NAT gateway, ~$35/month).
  #checkov:skip=CKV_AZURE_170:The tier is the variable aks_sku_tier; Free (no SLA) is the sandbox default, Standard (~$73/month) for production SLAs.
  #checkov:skip=CKV_AZURE_117:Disks use platform-managed keys; a disk encryption set needs a customer-managed key and its rotation process, beyond this sandbox. Host encryption is on.
  #checkov:skip=CKV_AZURE_232:One node pool keeps cost at one D2s_v3 node; a separate system pool would add a node permanently.
  name                      = "aks-${var.name}"
  location                  = var.location
  resource_group_name       = var.resource_group_name
  dns_prefix                = "aks-${var.name}"
  kubernetes_version        = var.kubernetes_version
  sku_tier                  = var.sku_tier
  automatic_upgrade_channel = "patch"
  node_os_upgrade_channel   = "NodeImage"
  oidc_issuer_enabled       = true
  workload_identity_enabled = true
  local_account_disabled    = true
  azure_policy_enabled      = true
  image_cleaner_enabled     = true
  # Removes unused images (old releases) from nodes every two days.
  image_cleaner_interval_hours      = 48
  role_based_access_control_enabled = true
  tags                              = var.tags

  default_node_pool {
    name                        = "system"
    temporary_name_for_rotation = "systemtmp"
    vm_size                     = var.vm_size
    auto_scaling_enabled        = true
    min_count                   = var.min_count
    max_count                   = var.max_count
    vnet_subnet_id              = var.subnet_id
    # With Azure CNI each node reserves max_pods addresses: (50+1) x (3 nodes + 1 surge) = 204 of the /24's 251.
    max_pods                = 50
    os_disk_type            = "Ephemeral"
    os_disk_size_gb         = 30
    host_encryption_enabled = true
    upgrade_settings {
      max_surge = "1"
    }
  }

  # Both auto-upgrade channels are on: upgrades happen in one announced window, not at any hour
  # (a drain mid-verification would look like a bad release; the apps' PodDisruptionBudgets help too).
  maintenance_window_auto_upgrade {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = var.maintenance_window.day_of_week
    start_time  = var.maintenance_window.start_time
    utc_offset  = var.maintenance_window.utc_offset
    duration    = var.maintenance_window.duration_hours
  }

  maintenance_window_node_os {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = var.maintenance_window.day_of_week
    start_time  = var.maintenance_window.start_time
    utc_offset  = var.maintenance_window.utc_offset
    duration    = var.maintenance_window.duration_hours
  }

  # Manual: the node pool above is the only one; no automatic node provisioning.
  node_provisioning_profile {
    mode = "Manual"
  }

  identity {
    type = "SystemAssigned"
  }

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled     = true
    tenant_id              = var.tenant_id
    admin_group_object_ids = var.admin_group_object_ids
  }

  network_profile {
    network_plugin    = "azure"
    network_policy    = "azure"
    service_cidr      = var.service_cidr
    dns_service_ip    = cidrhost(var.service_cidr, 10)
    load_balancer_sku = "standard"
    outbound_type     = "loadBalancer"
  }

  dynamic "api_server_access_profile" {
    for_each = length(var.authorized_ip_ranges) > 0 ? [1] : []
    content {
      authorized_ip_ranges = var.authorized_ip_ranges
    }
  }

  # Container Insights with managed-identity auth (the DCR below routes its data).
  oms_agent {
    log_analytics_workspace_id      = var.log_analytics_workspace_id
    msi_auth_for_monitoring_enabled = true
  }

  key_vault_secrets_provider {
    secret_rotation_enabled = true
  }

  lifecycle {
    # The autoscaler owns the live node count.
    ignore_changes = [default_node_pool[0].node_count]
  }
}

resource "azurerm_monitor_data_collection_rule_association" "container_insights" {
  name                    = "ContainerInsightsExtension"
  target_resource_id      = azurerm_kubernetes_cluster.this.id
  data_collection_rule_id = var.container_insights_dcr_id
}

output "id" { value = azurerm_kubernetes_cluster.this.id }
output "name" { value = azurerm_kubernetes_cluster.this.name }
output "fqdn" { value = azurerm_kubernetes_cluster.this.fqdn }
output "oidc_issuer_url" { value = azurerm_kubernetes_cluster.this.oidc_issuer_url }
output "kubelet_object_id" { value = azurerm_kubernetes_cluster.this.kubelet_identity[0].object_id }
output "cluster_principal_id" { value = azurerm_kubernetes_cluster.this.identity[0].principal_id }
output "node_resource_group" { value = azurerm_kubernetes_cluster.this.node_resource_group }
