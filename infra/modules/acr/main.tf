# Premium registry: ACR Tasks build the apps, Event Grid reports pushes, retention and a scheduled purge
# keep it small, cache rules keep the scanner's own supply (Trivy and its DB) in the registry.
variable "name" { type = string }
variable "location" { type = string }
variable "resource_group_name" { type = string }
variable "tags" { type = map(string) }
variable "app_repositories" { type = list(string) }
variable "purge_keep" { type = number }
variable "purge_ago" { type = string }
variable "purge_schedule" { type = string }
variable "trivy_cache" { type = object({ image = string, db = string }) }

resource "azurerm_container_registry" "this" {
  #checkov:skip=CKV_AZURE_139:ACR Tasks agents and the AKS kubelet pull over the public endpoint; a private endpoint needs a dedicated agent pool (~$100+/month), outside the budget. Anonymous pull and the admin user are off, so every pull is Entra-authenticated.
  #checkov:skip=CKV_AZURE_166:Quarantine would hold every pushed image until an external scanner releases it; the deployer's Trivy gate blocks unscanned or vulnerable digests from being deployed instead.
  #checkov:skip=CKV_AZURE_165:Geo-replication doubles the registry cost; a single-region sandbox does not need it. Enable with a georeplications block for multi-region prod.
  #checkov:skip=CKV_AZURE_163:Defender for Containers is a subscription-level plan billed per vCore; image vulnerabilities are gated by the deployer's own Trivy scan of the exact digest.
  #checkov:skip=CKV_AZURE_164:Docker Content Trust is retired by ACR (removed in azurerm 5); provenance is the digest pin, the deployer's signature gate (cosign) and the release record.
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
  # Untagged manifests (a tag moved away, a purged candidate tag) are removed after a week; retention is a
  # Premium feature. The deployer pins digests, so what runs and every rollback target must stay tagged:
  # deployed-<env>, verified-<env> and the newest var.purge_keep verified-sha256-<hex> (the purge below).
  # cosign's default signatures are tagged (sha256-<hex>.sig) and so kept; OCI 1.1 referrers are untagged.
  retention_policy_in_days = 7
  tags                     = var.tags
}

# Trivy (Docker Hub) and its vulnerability DB (GHCR) pulled through this registry: no public rate limit
# in the scan path, and the scan task pulls both with the run's own registry login.
resource "azurerm_container_registry_cache_rule" "trivy" {
  name                  = "trivy"
  container_registry_id = azurerm_container_registry.this.id
  source_repo           = "docker.io/${var.trivy_cache.image}"
  target_repo           = var.trivy_cache.image
}

resource "azurerm_container_registry_cache_rule" "trivy_db" {
  name                  = "trivy-db"
  container_registry_id = azurerm_container_registry.this.id
  source_repo           = "ghcr.io/${var.trivy_cache.db}"
  target_repo           = var.trivy_cache.db
}

locals {
  # Two kinds of tags are purged, each by its own rule; no other tag ever matches a filter. Their names
  # come from src/services/domain/kept-tags.ts (test/iac/purge-contract.test.ts holds the two together):
  #  - candidates — the 40-hex commit SHA every build pushes, digest-<16 hex> for an image that came
  #    without one — are purged by age alone: a blocked or never-verified build does not push a verified
  #    digest out of the kept ones, whatever their number;
  #  - verified-sha256-<64 hex>, added to every digest a release verified: the newest purge_keep per
  #    repository are kept (--ago 0d: every one is eligible, --keep spares the newest N), so the last N
  #    verified digests stay rollback targets.
  # deployed-<env> (what runs) and verified-<env> (the last good one) move with the deployer and match
  # neither filter, nor do latest and vX.Y.Z: the running and the last verified digest always keep a tag.
  # --untagged (last step) then removes the manifests left without any tag, older than purge_ago.
  candidate_tag     = "^([0-9a-f]{40}|digest-[0-9a-f]{16})$"
  verified_tag      = "^verified-sha256-[0-9a-f]{64}$"
  candidate_filters = join(" ", [for r in var.app_repositories : "--filter '${r}:${local.candidate_tag}'"])
  verified_filters  = join(" ", [for r in var.app_repositories : "--filter '${r}:${local.verified_tag}'"])
  purge_task = {
    version = "v1.1.0"
    steps = [
      {
        cmd                             = "acr purge ${local.verified_filters} --ago 0d --keep ${var.purge_keep} --concurrency 2"
        disableWorkingDirectoryOverride = true
        timeout                         = 1800
      },
      {
        cmd                             = "acr purge ${local.candidate_filters} --ago ${var.purge_ago} --untagged --concurrency 2"
        disableWorkingDirectoryOverride = true
        timeout                         = 1800
      },
    ]
  }
}

resource "azurerm_container_registry_task" "purge" {
  name                  = "purge-candidates"
  container_registry_id = azurerm_container_registry.this.id
  platform { os = "Linux" }
  # YAML is a superset of JSON: the task text is the object above, encoded.
  encoded_step { task_content = base64encode(jsonencode(local.purge_task)) }
  timer_trigger {
    name     = "nightly"
    schedule = var.purge_schedule
    enabled  = true
  }
  timeout_in_seconds = 3600
  tags               = var.tags
}

output "id" { value = azurerm_container_registry.this.id }
output "name" { value = azurerm_container_registry.this.name }
output "login_server" { value = azurerm_container_registry.this.login_server }
output "purge_task" { value = local.purge_task }
