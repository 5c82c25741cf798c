# terraform workspace select default && terraform apply -var-file=environments/prod.tfvars
environment         = "prod"
resource_group_name = "rg-sb-aks-01"
location            = "eastus2"
subscription_id     = "00000000-0000-0000-0000-000000000000" # replace
github_repository   = "tailspin/tailspin-toys"               # replace
# authorized_ip_ranges = ["203.0.113.0/24"] # your office / CI egress
deployer_settings = {
  TAILSPIN_ENVIRONMENTS = "prod"
}
tags = { environment = "prod", owner = "platform" }
