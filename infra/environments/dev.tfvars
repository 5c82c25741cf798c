# terraform workspace select -or-create dev && terraform apply -var-file=environments/dev.tfvars
environment         = "dev"
resource_group_name = "rg-sb-aks-dev-01"
location            = "eastus2"
subscription_id     = "00000000-0000-0000-0000-000000000000" # replace
github_repository   = "tailspin/tailspin-toys"               # replace
deployer_settings = {
  TAILSPIN_ENVIRONMENTS = "dev"
}
tags = { environment = "dev", owner = "platform" }
