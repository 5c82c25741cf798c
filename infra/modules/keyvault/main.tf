# Holds the deployer's secrets (GitHub webhook secret and token). Values are
# set by an operator (az keyvault secret set), never stored in Terraform state.
variable "name" { type = string }
variable "location" { type = string }
variable "resource_group_name" { type = string }
variable "tenant_id" { type = string }
variable "tags" { type = map(string) }

resource "azurerm_key_vault" "this" {
  #checkov:skip=CKV_AZURE_109:App Service resolves Key Vault references over the public endpoint unless the app is VNet-integrated; Flex Consumption here is not (see CKV_AZURE_115 on the cluster). Access is RBAC-only, purge-protected.
  #checkov:skip=CKV_AZURE_189:Same reason as CKV_AZURE_109: the function app's Key Vault references need the public endpoint without VNet integration.
  #checkov:skip=CKV2_AZURE_32:A private endpoint needs VNet integration of the function app and a private DNS zone; out of this sandbox's scope and budget.
  name                          = var.name
  location                      = var.location
  resource_group_name           = var.resource_group_name
  tenant_id                     = var.tenant_id
  sku_name                      = "standard"
  rbac_authorization_enabled    = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = 90
  public_network_access_enabled = true
  tags                          = var.tags

  network_acls {
    default_action = "Allow"
    bypass         = "AzureServices"
  }
}

output "id" { value = azurerm_key_vault.this.id }
output "name" { value = azurerm_key_vault.this.name }
output "uri" { value = azurerm_key_vault.this.vault_uri }
