# Optional: registers the GitHub webhook. A separate root so the main stack
# needs no GitHub token (and no GitHub provider); apply it only when you have one:
#   cd infra/github && terraform init -backend-config=../environments/backend.hcl \
#     -backend-config=key=tailspin-github.tfstate
#   GITHUB_TOKEN=... terraform apply -var webhook_url=$(terraform -chdir=.. output -raw github_webhook_url) ...
terraform {
  required_version = ">= 1.9.0"
  required_providers {
    github = {
      source  = "integrations/github"
      version = "~> 6.6"
    }
  }
  backend "azurerm" {
    resource_group_name = "rg-terraform-state"
    container_name      = "tfstate"
    key                 = "tailspin-github.tfstate"
    use_azuread_auth    = true
  }
}

variable "github_owner" {
  description = "User or organisation that owns the repository."
  type        = string
}
variable "github_repository" {
  description = "Repository name (without owner)."
  type        = string
}
variable "webhook_url" {
  description = "Output github_webhook_url of the main stack."
  type        = string
}
variable "webhook_secret" {
  description = "Same value as the Key Vault secret github-webhook-secret (TF_VAR_webhook_secret)."
  type        = string
  sensitive   = true
}

# The token comes from GITHUB_TOKEN (admin:repo_hook scope, or a fine-grained
# token with Webhooks: read and write); it never appears in a file.
provider "github" {
  owner = var.github_owner
}

module "webhook" {
  source     = "../modules/github-webhook"
  repository = var.github_repository
  url        = var.webhook_url
  secret     = var.webhook_secret
}
