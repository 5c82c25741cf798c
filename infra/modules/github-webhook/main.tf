# The GitHub push webhook to the deployer, HMAC-signed, TLS-verified.
terraform {
  required_providers {
    github = {
      source = "integrations/github"
    }
  }
}

variable "repository" {
  description = "Repository name (without owner)."
  type        = string
}
variable "url" { type = string }
variable "secret" {
  type      = string
  sensitive = true
}

resource "github_repository_webhook" "deployer" {
  repository = var.repository
  active     = true
  events     = ["push"]

  configuration {
    url          = var.url
    content_type = "json"
    secret       = var.secret
    insecure_ssl = false
  }
}

output "id" { value = github_repository_webhook.deployer.id }
