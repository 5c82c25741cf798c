# terraform workspace select -or-create dev && terraform apply -var-file=environments/dev.tfvars
environment         = "dev"
resource_group_name = "rg-sb-aks-dev-01"
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
deployer_settings = {}
# One deployer serves every environment (infra/README.md, "Several environments"): this one, the root of
# the promotion graph where pushes deploy. staging and prod are their own stacks (staging.tfvars,
# prod.tfvars); take aks_id, aks_kubelet_object_id, log_analytics_workspace_resource_id (workspace_id) and
# log_analytics_workspace_id (workspace_customer_id) from their outputs.
promotion_environments = [
  {
    name                  = "staging"
    from                  = "dev"
    policy                = "{\"kind\":\"auto\",\"soakSeconds\":1800}"
    aks_id                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sb-aks-staging-01/providers/Microsoft.ContainerService/managedClusters/aks-tailspin-staging"
    kubelet_object_id     = "00000000-0000-0000-0000-000000000001" # replace
    workspace_id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sb-aks-staging-01/providers/Microsoft.OperationalInsights/workspaces/log-tailspin-staging"
    workspace_customer_id = "00000000-0000-0000-0000-000000000003" # replace: its log_analytics_workspace_id output
    alert_target_ids = [
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sb-aks-staging-01/providers/Microsoft.OperationalInsights/workspaces/log-tailspin-staging",
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sb-aks-staging-01/providers/Microsoft.ContainerService/managedClusters/aks-tailspin-staging",
    ]
    freeze = ["* 16-23 * * 5"]
  },
  {
    name                  = "prod"
    from                  = "staging"
    policy                = "{\"kind\":\"approval\",\"approvals\":1,\"approvers\":[\"entra-group:00000000-0000-0000-0000-000000000000\"],\"soakSeconds\":3600}"
    aks_id                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sb-aks-01/providers/Microsoft.ContainerService/managedClusters/aks-tailspin-prod"
    kubelet_object_id     = "00000000-0000-0000-0000-000000000002" # replace
    workspace_id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sb-aks-01/providers/Microsoft.OperationalInsights/workspaces/log-tailspin-prod"
    workspace_customer_id = "00000000-0000-0000-0000-000000000004" # replace: its log_analytics_workspace_id output
    alert_target_ids = [
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sb-aks-01/providers/Microsoft.OperationalInsights/workspaces/log-tailspin-prod",
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sb-aks-01/providers/Microsoft.ContainerService/managedClusters/aks-tailspin-prod",
    ]
    freeze = []
  },
]
# Standing alerts and budget notices (modules/alerts, modules/guards).
alert_emails   = [] # e.g. ["platform@example.com"]
monthly_budget = 100

tags = { environment = "dev", owner = "platform" }
