# Audit and cost guards: who did what (diagnostic settings into Log Analytics), what it may cost (a
# monthly budget with alerts at 80 % and 100 %), and what must not be deleted by accident (locks).
variable "name" { type = string }
variable "resource_group_id" { type = string }
variable "workspace_id" { type = string }
variable "aks_id" { type = string }
variable "key_vault_id" { type = string }
variable "acr_id" { type = string }
variable "deployer_enabled" {
  type    = bool
  default = true
}
# null without a deployer (deployer_enabled = false).
variable "function_app_id" { type = string }
variable "budget_amount" { type = number }
variable "budget_emails" { type = list(string) }
variable "action_group_id" { type = string }
variable "enable_locks" { type = bool }
# The Terraform state account (infra/bootstrap): locked too when given.
variable "state_storage_account_id" {
  type    = string
  default = null
}

locals {
  # Resource → the log categories kept: the audit trail of each, not its chatty operational logs.
  diagnostics = merge({
    # kube-audit-admin: every change to the cluster's objects (not the reads); guard: Entra ID and
    # Azure RBAC authorisation decisions for Kubernetes calls. Resource-specific tables (AKSAuditAdmin…).
    aks = { id = var.aks_id, categories = ["kube-audit-admin", "guard"], dedicated = true }
    # Every secret read (Key Vault references resolving), every change of a secret or of access.
    keyvault = { id = var.key_vault_id, categories = ["AuditEvent"], dedicated = false }
    # Logins and pushes/pulls/deletes of repositories.
    acr = { id = var.acr_id, categories = ["ContainerRegistryLoginEvents", "ContainerRegistryRepositoryEvents"], dedicated = false }
    }, var.deployer_enabled ? {
    # The deployer's own function logs (host and worker), beside its Application Insights telemetry.
    functionapp = { id = var.function_app_id, categories = ["FunctionAppLogs"], dedicated = false }
  } : {})
}

resource "azurerm_monitor_diagnostic_setting" "audit" {
  for_each                       = local.diagnostics
  name                           = "audit-to-log-analytics"
  target_resource_id             = each.value.id
  log_analytics_workspace_id     = var.workspace_id
  log_analytics_destination_type = each.value.dedicated ? "Dedicated" : null

  dynamic "enabled_log" {
    for_each = toset(each.value.categories)
    content {
      category = enabled_log.key
    }
  }
}

# Actual spend of this resource group against a monthly amount. Azure evaluates budgets a few times a
# day; the notices go to the alert emails and the action group.
resource "azurerm_consumption_budget_resource_group" "monthly" {
  name              = "budget-${var.name}"
  resource_group_id = var.resource_group_id
  amount            = var.budget_amount
  time_grain        = "Monthly"

  time_period {
    # Budgets start on the first of a month; this one from the month it was created, with no end.
    start_date = formatdate("YYYY-MM-01'T'00:00:00Z", timestamp())
  }

  dynamic "notification" {
    for_each = toset([80, 100])
    content {
      enabled        = true
      threshold      = notification.key
      threshold_type = "Actual"
      operator       = "GreaterThanOrEqualTo"
      contact_emails = var.budget_emails
      contact_groups = [var.action_group_id]
    }
  }

  lifecycle {
    # timestamp() changes on every plan; the start date is fixed once the budget exists.
    ignore_changes = [time_period]
  }
}

# CanNotDelete: reads and changes go on; deleting (terraform destroy, a replacement, a portal click)
# needs the lock removed first (enable_resource_locks = false, apply, then the change). A lock on the
# group covers everything in it.
resource "azurerm_management_lock" "this" {
  for_each = var.enable_locks ? merge(
    { resource_group = var.resource_group_id, key_vault = var.key_vault_id },
    var.state_storage_account_id == null ? {} : { state = var.state_storage_account_id },
  ) : {}
  name       = "do-not-delete-${replace(each.key, "_", "-")}"
  scope      = each.value
  lock_level = "CanNotDelete"
  notes      = "Managed by Terraform (enable_resource_locks). Set it to false and apply before deleting or replacing resources here."
}
