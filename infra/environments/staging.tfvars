# terraform workspace select -or-create staging && terraform apply -var-file=environments/staging.tfvars
# Staging's own cluster, monitoring and alerts. Releases reach it from dev's deployer, which serves every
# environment (infra/README.md, "Several environments"): list this stack's aks_id, its kubelet
# (aks_kubelet_object_id output) and its alert targets in dev.tfvars' promotion_environments.
environment         = "staging"
resource_group_name = "rg-sb-aks-staging-01"
location            = "eastus2"
subscription_id     = "00000000-0000-0000-0000-000000000000" # replace
github_repository   = "tailspin/tailspin-toys"               # replace
# The API server: list the CIDRs that may reach it, or opt out explicitly. The deployer on Flex
# Consumption has no fixed egress address, so closing the API server needs a NAT gateway in
# front of it (its address in this list) first; until then this environment opts out.
authorized_ip_ranges        = [] # e.g. ["203.0.113.0/24"] (office, CI egress, the deployer's NAT)
api_server_open_to_internet = true
# Cluster admins for the one-time kubectl apply of k8s/bootstrap (or grant_operator_cluster_admin = true once).
# aks_admin_group_object_ids = ["00000000-0000-0000-0000-000000000000"]
# No deployer of its own: dev's serves this environment (infra/README.md, "Several environments").
deployer_enabled = false
# Standing alerts and budget notices (modules/alerts, modules/guards). These alerts also hold promotions
# from staging to prod while they fire (dev's deployer reads them).
alert_emails   = [] # e.g. ["platform@example.com"]
monthly_budget = 100

tags = { environment = "staging", owner = "platform" }
