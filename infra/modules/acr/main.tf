# Premium registry: ACR Tasks build the apps, Event Grid reports pushes.
variable "name" { type = string }
variable "location" { type = string }
variable "resource_group_name" { type = string }
variable "tags" { type = map(string) }

resource "azurerm_container_registry" "this" {
  #checkov:skip=CKV_AZURE_139:ACR Tasks agents and the AKS kubelet pull over the public endpoint; a private endpoint needs a dedicated agent pool (~$100+/month), outside the budget. Anonymous pull and the admin user are off, so every pull is Entra-authenticated.
  #checkov:skip=CKV_AZURE_166:Quarantine would hold every pushed image until an external scanner releases it; the deployer's Trivy gate blocks unscanned or vulnerable digests from being deployed instead.
  #checkov:skip=CKV_AZURE_165:Geo-replication doubles the registry cost; a single-region sandbox does not need it. Enable with a georeplications block for multi-region prod.
  #checkov:skip=CKV_AZURE_163:Defender for Containers is a subscription-level plan billed per vCore; image vulnerabilities are gated by the deployer's own Trivy scan of the exact digest.
  #checkov:skip=CKV_AZURE_164:Docker Content Trust is retired by ACR (removed in azurerm 5); provenance is the digest pin plus the release record.
  name                          = var.name
  location                      = var.location
  resource_group_name           = var.resource_group_name
  sku                           = "Premium"
  admin_enabled                 = false
  anonymous_pull_enabled        = false
  public_network_access_enabled = true
  network_rule_bypass_option    = "AzureServices"
  data_endpoint_enabled         = true
  zone_redundancy_enabled       = true
  # Untagged manifests (superseded :latest builds) are removed after a week;
  # the deployer pins digests, so a release's rollback target must stay tagged (commit SHA).
  retention_policy_in_days = 7
  tags                     = var.tags
}

output "id" { value = azurerm_container_registry.this.id }
output "name" { value = azurerm_container_registry.this.name }
output "login_server" { value = azurerm_container_registry.this.login_server }
