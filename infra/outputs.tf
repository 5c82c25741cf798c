output "resource_group_name" { value = azurerm_resource_group.this.name }
output "aks_name" { value = module.aks.name }
output "aks_id" { value = module.aks.id }
output "aks_oidc_issuer_url" { value = module.aks.oidc_issuer_url }
output "acr_name" { value = module.acr.name }
output "acr_login_server" { value = module.acr.login_server }
output "key_vault_name" { value = module.keyvault.name }
# The deployer's: null in a stack without one (deployer_enabled = false; dev's serves it).
output "function_app_name" { value = var.deployer_enabled ? module.functionapp[0].name : null }
output "function_app_principal_id" { value = var.deployer_enabled ? module.functionapp[0].principal_id : null }
output "github_webhook_url" { value = var.deployer_enabled ? "https://${module.functionapp[0].hostname}/api/github/webhook" : null }
output "log_analytics_workspace_id" { value = module.monitoring.workspace_customer_id }
output "function_app_url" { value = var.deployer_enabled ? "https://${module.functionapp[0].hostname}" : null }

# Instrumenting the apps (docs/azure-deployment.md, step 5): the connection string goes into the
# Secret tailspin-telemetry the manifests read; the role names are what the deployer queries
# (AppRoleName), set by OTEL_SERVICE_NAME in each app's ConfigMap.
output "app_insights_connection_string" {
  value     = module.monitoring.app_insights_connection_string
  sensitive = true
}
output "app_cloud_role_names" { value = ["tailspin-server", "tailspin-client"] }
# Application Insights takes Entra ID only: the apps authenticate as this identity (workload identity).
output "apps_telemetry_client_id" { value = module.apps_identity.client_id }

# GitHub Actions (docs/azure-deployment.md, "The pipeline"): the variables of each GitHub Environment
# the workflows read (none is a secret: OIDC needs no client secret), by environment name.
output "pipeline_environment_variables" {
  value = {
    for kind, env in module.pipeline.github_environments : env => merge(
      {
        AZURE_CLIENT_ID       = module.pipeline.client_ids[kind]
        AZURE_TENANT_ID       = data.azurerm_client_config.current.tenant_id
        AZURE_SUBSCRIPTION_ID = var.subscription_id
      },
      kind == "deployer" ? tomap({
        RESOURCE_GROUP     = azurerm_resource_group.this.name
        FUNCTION_APP_NAME  = module.functionapp[0].name
        FUNCTION_APP_URL   = "https://${module.functionapp[0].hostname}"
        RELEASES_ACCOUNT   = module.functionapp[0].storage_account_name
        RELEASES_CONTAINER = module.pipeline.releases_container_name
        }) : tomap({
        TF_STATE_ACCOUNT   = var.state_storage_account_id == null ? "" : basename(var.state_storage_account_id)
        OPERATOR_OBJECT_ID = local.operator_object_id
      }),
    )
  }
}

# For the stack whose deployer serves every environment (its promotion_environments).
output "aks_kubelet_object_id" { value = module.aks.kubelet_object_id }
output "log_analytics_workspace_resource_id" { value = module.monitoring.workspace_id }
