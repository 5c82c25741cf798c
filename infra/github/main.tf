# Optional: registers the GitHub webhook. A separate root so the main stack
# needs no GitHub token (and no GitHub provider); apply it only when you have one:
#   cd infra/github && terraform init -backend-config=../environments/backend.hcl \
#     -backend-config=key=tailspin-github.tfstate
#   GITHUB_TOKEN=... terraform apply -var webhook_url=$(terraform -chdir=.. output -raw github_webhook_url) \
#     -var "environment_variables=$(terraform -chdir=.. output -json pipeline_environment_variables)" ...
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

# --- the pipeline's GitHub Environments (.github/workflows, docs/azure-deployment.md "The pipeline") ---
# <env>-plan: read-only plans, any branch (pull requests) · <env>-infra: terraform apply, protected
# branches only, required reviewers · <env>-deployer: publish the function app, protected branches only
# (reviewers too where publish_reviewers says so). Each one's variables are the main stack's output
# pipeline_environment_variables (client ids, tenant, subscription, names): no secrets.

variable "environment_variables" {
  description = "Output pipeline_environment_variables of the main stack, merged over every environment (terraform output -json)."
  type        = map(map(string))
  default     = {}
}

variable "reviewer_user_ids" {
  description = "GitHub user ids who must approve an apply (and a publish where publish_reviewers is set)."
  type        = list(number)
  default     = []
}

variable "reviewer_team_ids" {
  description = "GitHub team ids who must approve an apply (and a publish where publish_reviewers is set)."
  type        = list(number)
  default     = []
}

variable "publish_reviewers" {
  # dev's deployer serves every environment of the promotion graph (infra/README.md, "Several environments"),
  # so its publish is the one that can change prod: it waits for a reviewer.
  description = "Environments whose deployer publish also waits for a reviewer (e.g. [\"dev\"], the stack whose deployer serves every environment)."
  type        = list(string)
  default     = ["dev"]
}

locals {
  stack_envs = toset([for name, _ in var.environment_variables : regex("^(.*)-(plan|infra|deployer)$", name)[0]])
  gated      = toset(concat([for e in local.stack_envs : "${e}-infra"], [for e in var.publish_reviewers : "${e}-deployer"]))
  variables = merge([
    for env, vars in var.environment_variables : { for k, v in vars : "${env}/${k}" => { environment = env, name = k, value = v } }
  ]...)
}

resource "github_repository_environment" "pipeline" {
  for_each            = var.environment_variables
  repository          = var.github_repository
  environment         = each.key
  prevent_self_review = true

  dynamic "reviewers" {
    for_each = contains(local.gated, each.key) ? [1] : []
    content {
      users = var.reviewer_user_ids
      teams = var.reviewer_team_ids
    }
  }

  # Plans run for pull requests from any branch; applies and publishes only from protected branches.
  dynamic "deployment_branch_policy" {
    for_each = endswith(each.key, "-plan") ? [] : [1]
    content {
      protected_branches     = true
      custom_branch_policies = false
    }
  }
}

resource "github_actions_environment_variable" "pipeline" {
  for_each      = local.variables
  repository    = var.github_repository
  environment   = github_repository_environment.pipeline[each.value.environment].environment
  variable_name = each.value.name
  value         = each.value.value
}
