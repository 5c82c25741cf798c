variable "subscription_id" {
  description = "Azure subscription to deploy into."
  type        = string
}

variable "environment" {
  description = "Environment name (dev, prod); used in names and tags."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,7}$", var.environment))
    error_message = "environment must be 2-8 lowercase letters or digits, starting with a letter."
  }
  # Storage account and Key Vault names are "st"/"kv" + prefix + environment + a 6-character
  # suffix, and both allow at most 24 characters.
  validation {
    condition     = length(var.name_prefix) + length(var.environment) <= 16
    error_message = "name_prefix and environment together must be at most 16 characters (storage account and Key Vault names are capped at 24)."
  }
}

variable "location" {
  description = "Azure region."
  type        = string
  default     = "eastus2"
}

variable "resource_group_name" {
  description = "Resource group for everything the deployer and the apps need."
  type        = string
  default     = "rg-sb-aks-01"
}

variable "name_prefix" {
  description = "Short prefix for resource names."
  type        = string
  default     = "tailspin"
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.name_prefix))
    error_message = "name_prefix must be 2-10 lowercase letters or digits, starting with a letter (it is part of storage, registry and vault names)."
  }
}

variable "vnet_address_space" {
  type    = string
  default = "10.0.0.0/16"
}

variable "aks_subnet_prefix" {
  type    = string
  default = "10.0.1.0/24"
}

variable "service_cidr" {
  description = "Kubernetes Service CIDR; must not overlap the VNet."
  type        = string
  default     = "10.1.0.0/16"
}

variable "kubernetes_version" {
  description = "AKS minor version (AKS picks the latest patch). Check `az aks get-versions -l <region>`; the manifest tests validate against this minor."
  type        = string
  default     = "1.35"
}

variable "node_vm_size" {
  type    = string
  default = "Standard_D2s_v3"
}

variable "node_min_count" {
  type    = number
  default = 1
}

variable "node_max_count" {
  type    = number
  default = 3
}

variable "authorized_ip_ranges" {
  description = "CIDRs allowed to reach the AKS API server (office, CI egress, a NAT gateway in front of the deployer). Required; [] only with api_server_open_to_internet = true."
  type        = list(string)
  nullable    = false
  validation {
    condition     = alltrue([for c in var.authorized_ip_ranges : can(cidrhost(c, 0))])
    error_message = "authorized_ip_ranges must be CIDRs such as 203.0.113.0/24."
  }
  validation {
    condition     = length(var.authorized_ip_ranges) > 0 || var.api_server_open_to_internet
    error_message = "Set authorized_ip_ranges, or opt out explicitly with api_server_open_to_internet = true."
  }
}

variable "api_server_open_to_internet" {
  description = "Explicit opt-out of authorized_ip_ranges: the API server accepts any source (Entra ID + Azure RBAC still required). Needed while the deployer runs on Flex Consumption without a fixed egress address."
  type        = bool
  default     = false
}

variable "aks_sku_tier" {
  description = "AKS control-plane tier: Free (no SLA), Standard (financially backed SLA, ~$73/month) or Premium."
  type        = string
  default     = "Free"
  validation {
    condition     = contains(["Free", "Standard", "Premium"], var.aks_sku_tier)
    error_message = "aks_sku_tier must be Free, Standard or Premium."
  }
}

variable "maintenance_window" {
  description = "Weekly window for Kubernetes patch upgrades and node-image upgrades (both auto-upgrade channels are on)."
  type = object({
    day_of_week    = string
    start_time     = string
    utc_offset     = string
    duration_hours = number
  })
  default = { day_of_week = "Sunday", start_time = "02:00", utc_offset = "+00:00", duration_hours = 4 }
  validation {
    condition     = var.maintenance_window.duration_hours >= 4 && var.maintenance_window.duration_hours <= 24
    error_message = "maintenance_window.duration_hours must be 4-24 (AKS's limits)."
  }
}

variable "aks_admin_group_object_ids" {
  description = "Entra ID groups that are cluster admins."
  type        = list(string)
  default     = []
}

variable "grant_operator_cluster_admin" {
  description = "Give the identity running Terraform the AKS RBAC Cluster Admin role, e.g. for the one-time kubectl apply of k8s/bootstrap when no admin group is set. Turn it off again afterwards."
  type        = bool
  default     = false
}

variable "operator_object_id" {
  description = "Entra object id of the person (or group) administering the stack: Key Vault Secrets Officer, and cluster admin with grant_operator_cluster_admin. Null: whoever runs Terraform (right for the first, local apply; the pipeline sets it so the grants stay with people)."
  type        = string
  default     = null
}

variable "state_storage_account_id" {
  description = "ARM id of the Terraform state account (infra/bootstrap). Set it to let the pipeline identities read (plan) and write (apply) the state, and to lock the account with enable_resource_locks."
  type        = string
  default     = null
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "github_repository" {
  description = "owner/name of the repository whose pushes deploy."
  type        = string
}

variable "github_deploy_branch" {
  type    = string
  default = "main"
}

variable "deployer_settings" {
  description = "Extra app settings for the deployer (thresholds, scan policy), merged over the defaults."
  type        = map(string)
  default     = {}
}

variable "promotion_environments" {
  description = "Environments this stack's deployer promotes into, after this stack's own (the root of the graph, where pushes deploy). One deployer serves every environment (infra/README.md): each entry names the AKS cluster its own stack created (and that cluster's kubelet, which pulls from this stack's registry), the promotion policy as the deployer's JSON (src/services/promotion/graph.ts), cron freeze windows, and the resources whose firing alerts hold promotions out of it."
  type = list(object({
    name              = string
    from              = string
    policy            = string
    aks_id            = string
    kubelet_object_id = string
    # Its Log Analytics workspace (behind its Application Insights): the resource id, and the customer id queries use.
    workspace_id          = string
    workspace_customer_id = string
    alert_target_ids      = list(string)
    freeze                = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for e in var.promotion_environments : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", e.name)) && can(regex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft.ContainerService/managedClusters/[^/]+$", e.aks_id))])
    error_message = "promotion_environments: each name must be a DNS label and each aks_id an AKS resource id."
  }
}

variable "deployer_enabled" {
  description = "Create the deployer (function app, its Event Grid wiring, GitHub pipeline identity, grants, own alerts and releases workbook) in this stack. One deployer serves every environment (infra/README.md): true only in the stack of the promotion graph's root (dev); staging and prod set false and keep their cluster, monitoring, alerts, registry and guards."
  type        = bool
  default     = true

  validation {
    condition     = var.deployer_enabled || length(var.promotion_environments) == 0
    error_message = "promotion_environments needs this stack's deployer (deployer_enabled = true): without it nothing promotes into them."
  }
}

variable "enable_acr_event_subscription" {
  description = "Create the Event Grid subscription to the acrImagePushed function. Event Grid checks that the function exists, so set true after the first publish."
  type        = bool
  default     = false
}

variable "log_daily_cap_gb" {
  description = "Daily ingestion cap of the Log Analytics workspace in GB (-1: none). When it is reached, ingestion stops until 00:00 UTC: no app telemetry for verification, no alert data. Sized for the sandbox's traffic; raise it with real traffic."
  type        = number
  default     = 1
  validation {
    condition     = var.log_daily_cap_gb == -1 || var.log_daily_cap_gb >= 0.023
    error_message = "log_daily_cap_gb must be -1 (no cap) or at least 0.023 (Azure's minimum)."
  }
}

variable "app_insights_local_auth_enabled" {
  description = "Let Application Insights accept telemetry authenticated by the connection string alone. Off: only Entra ID (the deployer's identity; the apps through workload identity, docs step 6)."
  type        = bool
  default     = false
}

variable "monthly_budget" {
  description = "Monthly budget of the resource group in the billing currency; notices at 80 % and 100 % of actual spend. The architecture estimates 100-150 (USD)."
  type        = number
  default     = 150
  validation {
    condition     = var.monthly_budget > 0
    error_message = "monthly_budget must be positive."
  }
}

variable "enable_resource_locks" {
  description = "CanNotDelete locks on the resource group, the Key Vault and (with state_storage_account_id) the state account. On for prod; turn off and apply before a destroy or a replacement."
  type        = bool
  default     = false
}

variable "alert_emails" {
  description = "Who the standing alerts email (the action group's receivers)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails must be e-mail addresses."
  }
}

variable "alert_webhook_url" {
  description = "Optional HTTPS endpoint the action group also calls (common alert schema), e.g. a chat or paging integration. Null: email only."
  type        = string
  default     = null
  sensitive   = true
  validation {
    condition     = var.alert_webhook_url == null || can(regex("^https://", var.alert_webhook_url))
    error_message = "alert_webhook_url must be an https:// URL."
  }
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "dashboard_entra_client_id" {
  description = "Client id of the Entra app registration people sign in to the dashboard with (App Service Authentication; redirect URI https://<app host>/.auth/login/aad/callback, ID tokens enabled). Empty: no sign-in; the dashboard still works with a function key."
  type        = string
  default     = ""
}

variable "dashboard_allowed_groups" {
  description = "Object ids of the Entra groups whose members may sign in to the dashboard; empty: anyone in the tenant."
  type        = list(string)
  default     = []
}

# ---------------------------------------------------------------- supply chain (issue 15)

variable "signature_policy" {
  description = "Signature gate for every app (SIGNATURE_POLICY): off, warn or enforce. warn and enforce read COSIGN_PUBLIC_KEY from the Key Vault secret \"cosign-public-key\" (the PEM of cosign.pub), which the operator sets like github-token."
  type        = string
  default     = "off"
  validation {
    condition     = contains(["off", "warn", "enforce"], var.signature_policy)
    error_message = "signature_policy must be off, warn or enforce."
  }
}

variable "trivy_image_digest" {
  description = "Digest of the Trivy image the scan gate runs (aquasec/trivy:0.58.1's index), pulled through the registry's cache rule and pinned: TRIVY_IMAGE = <acr>/aquasec/trivy@<digest>. Bump with `crane digest aquasec/trivy:<version>`."
  type        = string
  default     = "sha256:ab70a02200597efa04748f210f793936eb647cbcdb0ea69cc30b226d6f5a22c7"
  validation {
    condition     = can(regex("^sha256:[a-f0-9]{64}$", var.trivy_image_digest))
    error_message = "trivy_image_digest must be a sha256 digest (sha256:<64 hex>)."
  }
}

variable "acr_purge_keep" {
  description = "The scheduled purge keeps the newest N verified digests (verified-sha256-<hex> tags) per app repository: the last N verified releases stay rollback targets. Candidate tags go by age (acr_purge_ago); deployed-<env>, verified-<env>, latest and vX.Y.Z never match a purge filter."
  type        = number
  default     = 20
  validation {
    condition     = var.acr_purge_keep >= 3
    error_message = "acr_purge_keep must be at least 3 (rollback targets)."
  }
}

variable "acr_purge_ago" {
  description = "Candidate tags (commit SHA, digest-<16 hex>) older than this are purged, then the manifests left untagged that are older than this (acr purge --ago, e.g. 30d)."
  type        = string
  default     = "30d"
  validation {
    condition     = can(regex("^[0-9]+[dhm]$", var.acr_purge_ago))
    error_message = "acr_purge_ago is a Go duration in days, hours or minutes, e.g. 30d."
  }
}

variable "acr_purge_schedule" {
  description = "When the purge task runs (cron, UTC)."
  type        = string
  default     = "0 3 * * *"
}
