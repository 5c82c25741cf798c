# The apps send their telemetry to Application Insights with Entra ID (its local authentication is off):
# one user-assigned identity, trusted for the apps' Kubernetes ServiceAccounts through the cluster's OIDC
# issuer (AKS workload identity), allowed to publish telemetry to that one component and nothing else.
variable "name" { type = string }
variable "location" { type = string }
variable "resource_group_name" { type = string }
variable "oidc_issuer_url" { type = string }
variable "namespace" { type = string }
# The apps' ServiceAccounts (k8s/apps: serviceAccountName of each Deployment).
variable "service_accounts" { type = list(string) }
variable "app_insights_id" { type = string }
variable "tags" { type = map(string) }

resource "azurerm_user_assigned_identity" "this" {
  name                = "id-${var.name}-apps-telemetry"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

resource "azurerm_federated_identity_credential" "this" {
  for_each                  = toset(var.service_accounts)
  name                      = "k8s-${var.namespace}-${each.key}"
  user_assigned_identity_id = azurerm_user_assigned_identity.this.id
  issuer                    = var.oidc_issuer_url
  audience                  = ["api://AzureADTokenExchange"]
  subject                   = "system:serviceaccount:${var.namespace}:${each.key}"
}

resource "azurerm_role_assignment" "publish" {
  scope                = var.app_insights_id
  role_definition_name = "Monitoring Metrics Publisher"
  principal_id         = azurerm_user_assigned_identity.this.principal_id
  principal_type       = "ServicePrincipal"
}

output "client_id" { value = azurerm_user_assigned_identity.this.client_id }
