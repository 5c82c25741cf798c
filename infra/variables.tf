variable "subscription_id" {
  description = "Azure subscription to deploy into."
  type        = string
}

variable "environment" {
  description = "Environment name (dev, prod); used in names and tags."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,7}$", var.environment))
    error_message = "environment must be 2-8 lowercase letters or digits."
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
  description = "CIDRs allowed to reach the AKS API server. Empty = any source (Entra ID + Azure RBAC still required)."
  type        = list(string)
  default     = []
}

variable "aks_admin_group_object_ids" {
  description = "Entra ID groups that are cluster admins."
  type        = list(string)
  default     = []
}

variable "grant_operator_cluster_admin" {
  description = "Give the identity running Terraform the AKS RBAC Cluster Admin role (for the first kubectl apply of k8s/bootstrap)."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "app_namespace" {
  description = "Kubernetes namespace the deployer may change."
  type        = string
  default     = "tail-spin"
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

variable "enable_acr_event_subscription" {
  description = "Create the Event Grid subscription to the acrImagePushed function. Event Grid checks that the function exists, so set true after the first publish."
  type        = bool
  default     = false
}

variable "tags" {
  type    = map(string)
  default = {}
}
