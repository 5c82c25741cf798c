data "azurerm_client_config" "current" {}

locals {
  name = "${var.name_prefix}-${var.environment}"
  # Registry, storage, vault and function-app host names are global, and custom role names are
  # unique per tenant: a short stable hash of the subscription and resource group keeps them apart.
  suffix = substr(sha1("${var.subscription_id}/${var.resource_group_name}"), 0, 6)
  unique = "${local.name}-${local.suffix}"
  flat   = "${var.name_prefix}${var.environment}${local.suffix}"
  tags   = merge({ app = "tailspin", managed-by = "terraform" }, var.tags)

  # The namespace k8s/ and the deployer's built-in catalog deploy to (src/services/domain/catalog.ts);
  # a fixed part of the product, not a knob: RBAC scoped elsewhere would grant nothing useful.
  app_namespace = "tail-spin"

  # The person who administers the stack. The pipeline runs Terraform as its own identity, so it passes
  # the operator's id explicitly: the operator's grants must not move to whoever runs apply. An empty
  # value (an unset GitHub variable) counts as not given.
  operator_object_id = var.operator_object_id != null && var.operator_object_id != "" ? var.operator_object_id : data.azurerm_client_config.current.object_id

  kv_ref = "@Microsoft.KeyVault(VaultName=${module.keyvault.name};SecretName=%s)"

  # The deployer's settings from this stack; the function app module adds its own (storage identity,
  # public URL, Application Insights). Names are the ones src/services/config.ts reads
  # (test/iac/settings-contract.test.ts holds the two together).
  # Trivy and its DB are pulled through the registry's cache rules (modules/acr), the image pinned by digest.
  trivy_cache = { image = "aquasec/trivy", db = "aquasecurity/trivy-db" }

  # The promotion graph (src/services/promotion/graph.ts): this stack's environment is its root, where
  # pushes deploy; var.promotion_environments follow, each on its own cluster. Alerts on this
  # environment's workspace (where modules/alerts' rules fire) and cluster hold promotions out of it.
  promotion_graph = {
    environments = concat(
      [{ name = var.environment, alertTargets = [module.monitoring.workspace_id, module.aks.id] }],
      [for e in var.promotion_environments : {
        name         = e.name
        from         = e.from
        policy       = jsondecode(e.policy)
        freeze       = e.freeze
        cluster      = { aksResourceId = e.aks_id }
        telemetry    = { workspaceId = e.workspace_customer_id }
        alertTargets = e.alert_target_ids
      }],
    )
  }

  app_settings = merge({
    TAILSPIN_ENVIRONMENTS      = var.environment
    TAILSPIN_PROMOTION         = jsonencode(local.promotion_graph)
    TAILSPIN_SANDBOX           = "off"
    GITHUB_REPOSITORY          = var.github_repository
    GITHUB_DEPLOY_BRANCH       = var.github_deploy_branch
    GITHUB_WEBHOOK_SECRET      = format(local.kv_ref, "github-webhook-secret")
    GITHUB_TOKEN               = format(local.kv_ref, "github-token")
    ACR_LOGIN_SERVER           = module.acr.login_server
    ACR_RESOURCE_ID            = module.acr.id
    AKS_RESOURCE_ID            = module.aks.id
    LOG_ANALYTICS_WORKSPACE_ID = module.monitoring.workspace_customer_id
    TRIVY_IMAGE                = "${module.acr.login_server}/${local.trivy_cache.image}@${var.trivy_image_digest}"
    TRIVY_DB_REPOSITORY        = "${module.acr.login_server}/${local.trivy_cache.db}:2"
    SIGNATURE_POLICY           = var.signature_policy
    # The public key is not secret, but it decides what may run: kept where only the operator writes.
  }, var.signature_policy == "off" ? {} : { COSIGN_PUBLIC_KEY = format(local.kv_ref, "cosign-public-key") })
}

resource "azurerm_resource_group" "this" {
  name     = var.resource_group_name
  location = var.location
  tags     = local.tags
}

module "networking" {
  source              = "./modules/networking"
  name                = local.name
  location            = var.location
  resource_group_name = azurerm_resource_group.this.name
  address_space       = var.vnet_address_space
  aks_subnet_prefix   = var.aks_subnet_prefix
  tags                = local.tags
}

module "monitoring" {
  source              = "./modules/monitoring"
  name                = local.name
  location            = var.location
  resource_group_name = azurerm_resource_group.this.name
  retention_days      = var.log_retention_days
  daily_quota_gb      = var.log_daily_cap_gb
  # Off by default; true only while apps still send with a bare connection string (docs, step 6).
  app_insights_local_auth_enabled = var.app_insights_local_auth_enabled
  tags                            = local.tags
}

module "acr" {
  source              = "./modules/acr"
  name                = "${local.flat}acr"
  location            = var.location
  resource_group_name = azurerm_resource_group.this.name
  # The catalog's app repositories (src/services/domain/catalog.ts): what the scheduled purge looks at.
  app_repositories = ["tailspin-server", "tailspin-client"]
  purge_keep       = var.acr_purge_keep
  purge_ago        = var.acr_purge_ago
  purge_schedule   = var.acr_purge_schedule
  trivy_cache      = local.trivy_cache
  tags             = local.tags
}

module "aks" {
  source                     = "./modules/aks"
  name                       = local.name
  location                   = var.location
  resource_group_name        = azurerm_resource_group.this.name
  kubernetes_version         = var.kubernetes_version
  subnet_id                  = module.networking.aks_subnet_id
  service_cidr               = var.service_cidr
  vm_size                    = var.node_vm_size
  min_count                  = var.node_min_count
  max_count                  = var.node_max_count
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  admin_group_object_ids     = var.aks_admin_group_object_ids
  authorized_ip_ranges       = var.authorized_ip_ranges
  sku_tier                   = var.aks_sku_tier
  maintenance_window         = var.maintenance_window
  log_analytics_workspace_id = module.monitoring.workspace_id
  container_insights_dcr_id  = module.monitoring.container_insights_dcr_id
  tags                       = local.tags
}

module "keyvault" {
  source              = "./modules/keyvault"
  name                = "kv${local.flat}"
  location            = var.location
  resource_group_name = azurerm_resource_group.this.name
  tenant_id           = data.azurerm_client_config.current.tenant_id
  tags                = local.tags
}

# The deployer: only in the stack whose deployer serves every environment (var.deployer_enabled).
module "functionapp" {
  count                          = var.deployer_enabled ? 1 : 0
  source                         = "./modules/functionapp"
  name                           = local.unique
  storage_account_name           = "st${local.flat}"
  location                       = var.location
  resource_group_name            = azurerm_resource_group.this.name
  app_insights_connection_string = module.monitoring.app_insights_connection_string
  log_analytics_workspace_id     = module.monitoring.workspace_id
  app_settings                   = merge(local.app_settings, var.deployer_settings)
  tags                           = local.tags
  entra_client_id                = var.dashboard_entra_client_id
  entra_tenant_id                = data.azurerm_client_config.current.tenant_id
  dashboard_allowed_groups       = var.dashboard_allowed_groups
}

# ACR push events exist for the deployer only.
module "eventgrid" {
  count                         = var.deployer_enabled ? 1 : 0
  source                        = "./modules/eventgrid"
  name                          = local.name
  location                      = var.location
  resource_group_name           = azurerm_resource_group.this.name
  registry_id                   = module.acr.id
  function_app_id               = module.functionapp[0].id
  create_subscription           = var.enable_acr_event_subscription
  deadletter_storage_account_id = module.functionapp[0].storage_account_id
  deadletter_container_name     = module.functionapp[0].deadletter_container_name
  deadletter_container_id       = module.functionapp[0].deadletter_container_id
  tags                          = local.tags
}

module "rbac" {
  source                       = "./modules/rbac"
  name                         = local.unique
  aks_id                       = module.aks.id
  aks_principal_id             = module.aks.cluster_principal_id
  kubelet_object_id            = module.aks.kubelet_object_id
  aks_subnet_id                = module.networking.aks_subnet_id
  acr_id                       = module.acr.id
  deployer_enabled             = var.deployer_enabled
  function_principal_id        = var.deployer_enabled ? module.functionapp[0].principal_id : null
  storage_account_id           = var.deployer_enabled ? module.functionapp[0].storage_account_id : null
  log_analytics_workspace_id   = module.monitoring.workspace_id
  key_vault_id                 = module.keyvault.id
  app_insights_id              = module.monitoring.app_insights_id
  namespace                    = local.app_namespace
  operator_object_id           = local.operator_object_id
  grant_operator_cluster_admin = var.grant_operator_cluster_admin
  # One deployer serves every environment: the other environments' clusters, and every resource whose alerts it reads.
  remote_clusters   = { for e in var.promotion_environments : e.name => { aks_id = e.aks_id, kubelet_object_id = e.kubelet_object_id } }
  remote_workspaces = { for e in var.promotion_environments : e.name => e.workspace_id }
  alert_target_ids  = concat([module.monitoring.workspace_id, module.aks.id], flatten([for e in var.promotion_environments : e.alert_target_ids]))
}

# GitHub Actions: OIDC identities for plan, apply and publish (.github/workflows), no client secret.
module "pipeline" {
  source                   = "./modules/pipeline"
  name                     = local.unique
  location                 = var.location
  resource_group_name      = azurerm_resource_group.this.name
  resource_group_id        = azurerm_resource_group.this.id
  environment              = var.environment
  github_repository        = var.github_repository
  aks_id                   = module.aks.id
  deployer_enabled         = var.deployer_enabled
  function_app_id          = var.deployer_enabled ? module.functionapp[0].id : null
  storage_account_id       = var.deployer_enabled ? module.functionapp[0].storage_account_id : null
  state_storage_account_id = var.state_storage_account_id
  tags                     = local.tags
}

# Standing alerts after deploy time: the apps (same thresholds as the deployer's verification), the
# cluster, and the deployer itself, all to one action group.
module "alerts" {
  source                    = "./modules/alerts"
  name                      = local.name
  resource_group_name       = azurerm_resource_group.this.name
  location                  = var.location
  environment               = var.environment
  workspace_id              = module.monitoring.workspace_id
  deployer_enabled          = var.deployer_enabled
  eventgrid_system_topic_id = var.deployer_enabled ? module.eventgrid[0].system_topic_id : null
  app_role_names            = ["tailspin-server", "tailspin-client"]
  deployer_role_name        = var.deployer_enabled ? module.functionapp[0].name : null
  namespace                 = local.app_namespace
  queue_name                = lookup(var.deployer_settings, "TAILSPIN_QUEUE_NAME", "tailspin-releases")
  emails                    = var.alert_emails
  webhook_url               = var.alert_webhook_url
  error_rate_max            = tonumber(lookup(var.deployer_settings, "VERIFY_ERROR_RATE_MAX", "0.01"))
  p95_ms_max                = tonumber(lookup(var.deployer_settings, "VERIFY_P95_MS_MAX", "2000"))
  min_requests              = tonumber(lookup(var.deployer_settings, "VERIFY_MIN_REQUESTS", "50"))
  tags                      = local.tags
}

# The apps' telemetry identity (workload identity for their ServiceAccounts in k8s/apps).
module "apps_identity" {
  source              = "./modules/apps-identity"
  name                = local.unique
  location            = var.location
  resource_group_name = azurerm_resource_group.this.name
  oidc_issuer_url     = module.aks.oidc_issuer_url
  namespace           = local.app_namespace
  service_accounts    = ["tailspin-server", "tailspin-client"]
  app_insights_id     = module.monitoring.app_insights_id
  tags                = local.tags
}

# Audit trail, spend and accidental deletion.
module "guards" {
  source                   = "./modules/guards"
  name                     = local.name
  resource_group_id        = azurerm_resource_group.this.id
  workspace_id             = module.monitoring.workspace_id
  aks_id                   = module.aks.id
  key_vault_id             = module.keyvault.id
  acr_id                   = module.acr.id
  deployer_enabled         = var.deployer_enabled
  function_app_id          = var.deployer_enabled ? module.functionapp[0].id : null
  budget_amount            = var.monthly_budget
  budget_emails            = var.alert_emails
  action_group_id          = module.alerts.action_group_id
  enable_locks             = var.enable_resource_locks
  state_storage_account_id = var.state_storage_account_id
}

# The releases workbook (Azure Monitor → Workbooks): outcomes, time to verified, rollbacks, per app.
module "workbook" {
  count               = var.deployer_enabled ? 1 : 0
  source              = "./modules/workbook"
  name                = local.name
  location            = var.location
  resource_group_name = azurerm_resource_group.this.name
  workspace_id        = module.monitoring.workspace_id
  tags                = local.tags
}

# Stacks applied before deployer_enabled existed keep their deployer where it is (no destroy and create).
moved {
  from = module.functionapp
  to   = module.functionapp[0]
}
moved {
  from = module.eventgrid
  to   = module.eventgrid[0]
}
moved {
  from = module.workbook
  to   = module.workbook[0]
}
