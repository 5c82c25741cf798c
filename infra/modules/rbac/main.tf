# Every role assignment of the deployment in one place, each at the narrowest
# scope that works. Nothing here is granted at subscription or resource-group scope.
variable "name" { type = string }
variable "aks_id" { type = string }
variable "aks_principal_id" { type = string }
variable "kubelet_object_id" { type = string }
variable "aks_subnet_id" { type = string }
variable "acr_id" { type = string }
variable "function_principal_id" { type = string }
variable "storage_account_id" { type = string }
variable "log_analytics_workspace_id" { type = string }
variable "app_insights_id" { type = string }
variable "key_vault_id" { type = string }
variable "namespace" { type = string }
variable "operator_object_id" { type = string }
variable "grant_operator_cluster_admin" { type = bool }

# --- the cluster's own identities ---

# Nodes pull images from the registry.
resource "azurerm_role_assignment" "kubelet_acr_pull" {
  scope                            = var.acr_id
  role_definition_name             = "AcrPull"
  principal_id                     = var.kubelet_object_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

# The control plane joins NICs and load balancers to the BYO subnet.
resource "azurerm_role_assignment" "aks_subnet" {
  scope                = var.aks_subnet_id
  role_definition_name = "Network Contributor"
  principal_id         = var.aks_principal_id
  principal_type       = "ServicePrincipal"
}

# --- the deployer (function app identity) ---

# Kubernetes: exactly the data actions the deployer uses, assignable only on
# this cluster and assigned only on the app namespace. Mirrors the Role in
# k8s/bootstrap/deployer-rbac.yaml (services/proxy has no Azure data action;
# that one verb comes from the Kubernetes RoleBinding).
resource "azurerm_role_definition" "deployer_k8s" {
  name              = "Tailspin deployer (${var.name}) - Kubernetes namespace"
  scope             = var.aks_id
  description       = "Read rollout state and apply workloads in one namespace. No delete, secrets or exec."
  assignable_scopes = [var.aks_id]

  permissions {
    actions = []
    data_actions = [
      "Microsoft.ContainerService/managedClusters/apps/deployments/read",
      "Microsoft.ContainerService/managedClusters/apps/deployments/write",
      "Microsoft.ContainerService/managedClusters/apps/replicasets/read",
      "Microsoft.ContainerService/managedClusters/pods/read",
      "Microsoft.ContainerService/managedClusters/events/read",
      "Microsoft.ContainerService/managedClusters/services/read",
      "Microsoft.ContainerService/managedClusters/services/write",
      "Microsoft.ContainerService/managedClusters/configmaps/read",
      "Microsoft.ContainerService/managedClusters/configmaps/write",
      "Microsoft.ContainerService/managedClusters/serviceaccounts/read",
      "Microsoft.ContainerService/managedClusters/serviceaccounts/write",
      "Microsoft.ContainerService/managedClusters/networking.k8s.io/networkpolicies/read",
      "Microsoft.ContainerService/managedClusters/networking.k8s.io/networkpolicies/write",
    ]
  }
}

resource "azurerm_role_assignment" "deployer_k8s_namespace" {
  scope              = "${var.aks_id}/namespaces/${var.namespace}"
  role_definition_id = azurerm_role_definition.deployer_k8s.role_definition_resource_id
  principal_id       = var.function_principal_id
  principal_type     = "ServicePrincipal"
}

# ACR Tasks: schedule a build/scan run, follow it, read its log.
resource "azurerm_role_definition" "deployer_acr_tasks" {
  name              = "Tailspin deployer (${var.name}) - ACR task runs"
  scope             = var.acr_id
  description       = "Schedule ACR task runs and read their status and logs."
  assignable_scopes = [var.acr_id]

  permissions {
    actions = [
      "Microsoft.ContainerRegistry/registries/read",
      "Microsoft.ContainerRegistry/registries/scheduleRun/action",
      "Microsoft.ContainerRegistry/registries/runs/read",
      "Microsoft.ContainerRegistry/registries/runs/listLogSasUrl/action",
    ]
    data_actions = []
  }
}

resource "azurerm_role_assignment" "deployer_acr_tasks" {
  scope              = var.acr_id
  role_definition_id = azurerm_role_definition.deployer_acr_tasks.role_definition_resource_id
  principal_id       = var.function_principal_id
  principal_type     = "ServicePrincipal"
}

# Resolve tags to digests for manual deploys (read-only registry data).
resource "azurerm_role_assignment" "deployer_acr_pull" {
  scope                = var.acr_id
  role_definition_name = "AcrPull"
  principal_id         = var.function_principal_id
  principal_type       = "ServicePrincipal"
}

# Verification: query request telemetry and metrics, nothing else.
resource "azurerm_role_assignment" "deployer_logs" {
  scope                = var.log_analytics_workspace_id
  role_definition_name = "Log Analytics Reader"
  principal_id         = var.function_principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deployer_metrics" {
  scope                = var.app_insights_id
  role_definition_name = "Monitoring Reader"
  principal_id         = var.function_principal_id
  principal_type       = "ServicePrincipal"
}

# Its own storage account: host (blobs), release records (tables), work (queue).
resource "azurerm_role_assignment" "deployer_storage" {
  for_each             = toset(["Storage Blob Data Owner", "Storage Queue Data Contributor", "Storage Table Data Contributor"])
  scope                = var.storage_account_id
  role_definition_name = each.key
  principal_id         = var.function_principal_id
  principal_type       = "ServicePrincipal"
}

# Key Vault references in app settings.
resource "azurerm_role_assignment" "deployer_secrets" {
  scope                = var.key_vault_id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = var.function_principal_id
  principal_type       = "ServicePrincipal"
}

# --- the operator running Terraform ---

# Lets the operator set the secret values after apply.
resource "azurerm_role_assignment" "operator_secrets" {
  scope                = var.key_vault_id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = var.operator_object_id
}

# Lets the operator apply k8s/bootstrap (namespace, deployer RBAC) once.
resource "azurerm_role_assignment" "operator_cluster_admin" {
  count                = var.grant_operator_cluster_admin ? 1 : 0
  scope                = var.aks_id
  role_definition_name = "Azure Kubernetes Service RBAC Cluster Admin"
  principal_id         = var.operator_object_id
}
