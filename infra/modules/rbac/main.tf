# Every role assignment of the deployment in one place, each at the narrowest
# scope that works. Nothing here is granted at subscription or resource-group scope.
# What the deployer's code calls and which action each call needs is the table in
# test/iac/permissions-contract.test.ts: a grant nothing uses, or a call nothing grants, fails it.
# `name` carries the stack's unique suffix: custom role names are unique per tenant.
variable "name" { type = string }
variable "aks_id" { type = string }
variable "aks_principal_id" { type = string }
variable "kubelet_object_id" { type = string }
variable "aks_subnet_id" { type = string }
variable "acr_id" { type = string }
# false: a stack whose environment another stack's deployer serves; no deployer, so none of its grants.
variable "deployer_enabled" {
  type    = bool
  default = true
}
# null when there is no deployer.
variable "function_principal_id" { type = string }
variable "storage_account_id" { type = string }
variable "log_analytics_workspace_id" { type = string }
variable "key_vault_id" { type = string }
variable "app_insights_id" { type = string }
variable "namespace" { type = string }
variable "operator_object_id" { type = string }
variable "grant_operator_cluster_admin" { type = bool }
# The other environments this deployer promotes into (one deployer serves all): their clusters, by name.
variable "remote_clusters" {
  type    = map(object({ aks_id = string, kubelet_object_id = string }))
  default = {}
}
# Their Log Analytics workspaces (verification there), by environment name.
variable "remote_workspaces" {
  type    = map(string)
  default = {}
}
# Every resource whose Azure Monitor alerts hold promotions (this environment's and the others').
variable "alert_target_ids" {
  type    = list(string)
  default = []
}

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

# The kubeconfig: listClusterUserCredentials on this cluster (nothing else at cluster scope).
# With Entra ID + Azure RBAC the kubeconfig carries no rights itself; those follow.
resource "azurerm_role_assignment" "deployer_cluster_user" {
  count                = var.deployer_enabled ? 1 : 0
  scope                = var.aks_id
  role_definition_name = "Azure Kubernetes Service Cluster User Role"
  principal_id         = var.function_principal_id
  principal_type       = "ServicePrincipal"
}

locals {
  # The Kubernetes data actions of the deployer's Role, on this cluster and on the promoted environments' ones.
  k8s_data_actions = [
    "Microsoft.ContainerService/managedClusters/apps/deployments/read",
    "Microsoft.ContainerService/managedClusters/apps/deployments/write",
    "Microsoft.ContainerService/managedClusters/apps/replicasets/read",
    "Microsoft.ContainerService/managedClusters/pods/read",
    "Microsoft.ContainerService/managedClusters/events/read",
    "Microsoft.ContainerService/managedClusters/services/write",
    "Microsoft.ContainerService/managedClusters/configmaps/write",
    "Microsoft.ContainerService/managedClusters/serviceaccounts/write",
    "Microsoft.ContainerService/managedClusters/networking.k8s.io/networkpolicies/write",
    "Microsoft.ContainerService/managedClusters/autoscaling/horizontalpodautoscalers/write",
    "Microsoft.ContainerService/managedClusters/policy/poddisruptionbudgets/write",
  ]
}

# Kubernetes: exactly the data actions the deployer uses, assignable only on
# this cluster and assigned only on the app namespace. Mirrors the Role in
# k8s/bootstrap/deployer-rbac.yaml, including every kind the manifest allow-list
# accepts (src/services/domain/manifests.ts). services/proxy has no Azure data
# action; that one verb comes from the Kubernetes RoleBinding.
resource "azurerm_role_definition" "deployer_k8s" {
  count             = var.deployer_enabled ? 1 : 0
  name              = "Tailspin deployer (${var.name}) - Kubernetes namespace"
  scope             = var.aks_id
  description       = "Read rollout state and apply workloads in one namespace. No delete, secrets or exec."
  assignable_scopes = [var.aks_id]

  permissions {
    actions      = []
    data_actions = local.k8s_data_actions
  }
}

resource "azurerm_role_assignment" "deployer_k8s_namespace" {
  count              = var.deployer_enabled ? 1 : 0
  scope              = "${var.aks_id}/namespaces/${var.namespace}"
  role_definition_id = azurerm_role_definition.deployer_k8s[0].role_definition_resource_id
  principal_id       = var.function_principal_id
  principal_type     = "ServicePrincipal"
}

# ACR Tasks: schedule a build/scan run, follow it, read its log; and importImage within the
# registry, which adds the moving tags (latest, vX.Y.Z) to a digest only after the scan gate passed it.
resource "azurerm_role_definition" "deployer_acr_tasks" {
  count             = var.deployer_enabled ? 1 : 0
  name              = "Tailspin deployer (${var.name}) - ACR task runs"
  scope             = var.acr_id
  description       = "Schedule ACR task runs and read their status and logs; tag scanned digests (importImage within the registry)."
  assignable_scopes = [var.acr_id]

  permissions {
    actions = [
      "Microsoft.ContainerRegistry/registries/scheduleRun/action",
      "Microsoft.ContainerRegistry/registries/runs/read",
      "Microsoft.ContainerRegistry/registries/runs/listLogSasUrl/action",
      "Microsoft.ContainerRegistry/registries/importImage/action",
    ]
    data_actions = []
  }
}

resource "azurerm_role_assignment" "deployer_acr_tasks" {
  count              = var.deployer_enabled ? 1 : 0
  scope              = var.acr_id
  role_definition_id = azurerm_role_definition.deployer_acr_tasks[0].role_definition_resource_id
  principal_id       = var.function_principal_id
  principal_type     = "ServicePrincipal"
}

# Resolve tags to digests for manual deploys (read-only registry data).
resource "azurerm_role_assignment" "deployer_acr_pull" {
  count                = var.deployer_enabled ? 1 : 0
  scope                = var.acr_id
  role_definition_name = "AcrPull"
  principal_id         = var.function_principal_id
  principal_type       = "ServicePrincipal"
}

# Verification reads one table, AppRequests, through the workspace query API. Table-level
# access (the "legacy" custom-role method of Azure Monitor's "Manage table-level access"):
# query/read runs queries, query/AppRequests/read opens that table and no other (Log Analytics
# Reader would open every container log in the workspace). No workspaces/read: the portal needs
# it, the query API does not.
resource "azurerm_role_definition" "deployer_requests_reader" {
  count             = var.deployer_enabled ? 1 : 0
  name              = "Tailspin deployer (${var.name}) - AppRequests reader"
  scope             = var.log_analytics_workspace_id
  description       = "Query the AppRequests table of one Log Analytics workspace."
  assignable_scopes = [var.log_analytics_workspace_id]

  permissions {
    actions = [
      "Microsoft.OperationalInsights/workspaces/query/read",
      "Microsoft.OperationalInsights/workspaces/query/AppRequests/read",
    ]
    data_actions = []
  }
}

resource "azurerm_role_assignment" "deployer_requests_reader" {
  count              = var.deployer_enabled ? 1 : 0
  scope              = var.log_analytics_workspace_id
  role_definition_id = azurerm_role_definition.deployer_requests_reader[0].role_definition_resource_id
  principal_id       = var.function_principal_id
  principal_type     = "ServicePrincipal"
}

# Its own storage account: host (blobs), release records (tables), work (queue).
resource "azurerm_role_assignment" "deployer_storage" {
  for_each             = toset(var.deployer_enabled ? ["Storage Blob Data Owner", "Storage Queue Data Contributor", "Storage Table Data Contributor"] : [])
  scope                = var.storage_account_id
  role_definition_name = each.key
  principal_id         = var.function_principal_id
  principal_type       = "ServicePrincipal"
}

# Key Vault references in app settings.
resource "azurerm_role_assignment" "deployer_secrets" {
  count                = var.deployer_enabled ? 1 : 0
  scope                = var.key_vault_id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = var.function_principal_id
  principal_type       = "ServicePrincipal"
}

# Its own telemetry (the Functions host, and the OpenTelemetry exporter of src/services/telemetry) with
# Entra ID: Application Insights has local authentication off.
resource "azurerm_role_assignment" "deployer_telemetry" {
  count                = var.deployer_enabled ? 1 : 0
  scope                = var.app_insights_id
  role_definition_name = "Monitoring Metrics Publisher"
  principal_id         = var.function_principal_id
  principal_type       = "ServicePrincipal"
}

# Promotion waits while an Azure Monitor alert fires on an environment's resources: list alerts
# (Alerts Management API) and nothing else. Monitoring Reader would be */read — on the workspace
# that includes query/read of every table, undoing the AppRequests-only role above. Alerts are
# extension resources of their target, so each target gets the role, defined and assigned there
# (like deployer_k8s: a definition assignable only where it is used).
resource "azurerm_role_definition" "deployer_alerts_reader" {
  for_each          = toset(var.deployer_enabled ? var.alert_target_ids : [])
  name              = "Tailspin deployer (${var.name}) - alerts reader ${substr(sha1(each.key), 0, 8)}"
  scope             = each.key
  description       = "Read Azure Monitor alerts on one resource, to hold promotions while one fires."
  assignable_scopes = [each.key]

  permissions {
    actions      = ["Microsoft.AlertsManagement/alerts/read"]
    data_actions = []
  }
}

resource "azurerm_role_assignment" "deployer_alerts_reader" {
  for_each           = toset(var.deployer_enabled ? var.alert_target_ids : [])
  scope              = each.key
  role_definition_id = azurerm_role_definition.deployer_alerts_reader[each.key].role_definition_resource_id
  principal_id       = var.function_principal_id
  principal_type     = "ServicePrincipal"
}

# --- the other environments this deployer promotes into (one deployer serves all) ---

# The same two grants as on this environment's cluster, on each of theirs.
resource "azurerm_role_assignment" "deployer_remote_cluster_user" {
  for_each             = var.remote_clusters
  scope                = each.value.aks_id
  role_definition_name = "Azure Kubernetes Service Cluster User Role"
  principal_id         = var.function_principal_id
  principal_type       = "ServicePrincipal"
}

# Kubernetes rights on each of their clusters, the same data actions as deployer_k8s, in a definition
# assignable only on that cluster (deployer_k8s stays as it is: replacing a definition replaces its
# assignments), assigned only on the app namespace.
resource "azurerm_role_definition" "deployer_k8s_remote" {
  for_each          = var.remote_clusters
  name              = "Tailspin deployer (${var.name}) - Kubernetes namespace in ${each.key}"
  scope             = each.value.aks_id
  description       = "Read rollout state and apply workloads in one namespace of a promoted environment's cluster."
  assignable_scopes = [each.value.aks_id]

  permissions {
    actions      = []
    data_actions = local.k8s_data_actions
  }
}

resource "azurerm_role_assignment" "deployer_remote_k8s_namespace" {
  for_each           = var.remote_clusters
  scope              = "${each.value.aks_id}/namespaces/${var.namespace}"
  role_definition_id = azurerm_role_definition.deployer_k8s_remote[each.key].role_definition_resource_id
  principal_id       = var.function_principal_id
  principal_type     = "ServicePrincipal"
}

# Verification in each of them reads AppRequests of its own workspace: the same table-level role as
# deployer_requests_reader, assignable only on that workspace.
resource "azurerm_role_definition" "deployer_remote_requests_reader" {
  for_each          = var.remote_workspaces
  name              = "Tailspin deployer (${var.name}) - AppRequests reader in ${each.key}"
  scope             = each.value
  description       = "Query the AppRequests table of a promoted environment's Log Analytics workspace."
  assignable_scopes = [each.value]

  permissions {
    actions = [
      "Microsoft.OperationalInsights/workspaces/query/read",
      "Microsoft.OperationalInsights/workspaces/query/AppRequests/read",
    ]
    data_actions = []
  }
}

resource "azurerm_role_assignment" "deployer_remote_requests_reader" {
  for_each           = var.remote_workspaces
  scope              = each.value
  role_definition_id = azurerm_role_definition.deployer_remote_requests_reader[each.key].role_definition_resource_id
  principal_id       = var.function_principal_id
  principal_type     = "ServicePrincipal"
}

# What is promoted is the digest in this stack's registry: their nodes pull it from here.
resource "azurerm_role_assignment" "remote_kubelet_acr_pull" {
  for_each                         = var.remote_clusters
  scope                            = var.acr_id
  role_definition_name             = "AcrPull"
  principal_id                     = each.value.kubelet_object_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

# --- the operator running Terraform ---

# Lets the operator set the secret values after apply.
resource "azurerm_role_assignment" "operator_secrets" {
  scope                = var.key_vault_id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = var.operator_object_id
}

# Lets the operator apply k8s/bootstrap (namespace, deployer RBAC) once, when no admin group is
# set; off by default, and meant to be switched off again afterwards.
resource "azurerm_role_assignment" "operator_cluster_admin" {
  count                = var.grant_operator_cluster_admin ? 1 : 0
  scope                = var.aks_id
  role_definition_name = "Azure Kubernetes Service RBAC Cluster Admin"
  principal_id         = var.operator_object_id
}

# Stacks applied before deployer_enabled existed keep these grants where they are.
moved {
  from = azurerm_role_assignment.deployer_cluster_user
  to   = azurerm_role_assignment.deployer_cluster_user[0]
}
moved {
  from = azurerm_role_definition.deployer_k8s
  to   = azurerm_role_definition.deployer_k8s[0]
}
moved {
  from = azurerm_role_assignment.deployer_k8s_namespace
  to   = azurerm_role_assignment.deployer_k8s_namespace[0]
}
moved {
  from = azurerm_role_definition.deployer_acr_tasks
  to   = azurerm_role_definition.deployer_acr_tasks[0]
}
moved {
  from = azurerm_role_assignment.deployer_acr_tasks
  to   = azurerm_role_assignment.deployer_acr_tasks[0]
}
moved {
  from = azurerm_role_assignment.deployer_acr_pull
  to   = azurerm_role_assignment.deployer_acr_pull[0]
}
moved {
  from = azurerm_role_definition.deployer_requests_reader
  to   = azurerm_role_definition.deployer_requests_reader[0]
}
moved {
  from = azurerm_role_assignment.deployer_requests_reader
  to   = azurerm_role_assignment.deployer_requests_reader[0]
}
moved {
  from = azurerm_role_assignment.deployer_secrets
  to   = azurerm_role_assignment.deployer_secrets[0]
}
moved {
  from = azurerm_role_assignment.deployer_telemetry
  to   = azurerm_role_assignment.deployer_telemetry[0]
}
