# The GitHub Actions identities of this environment: user-assigned managed identities that GitHub's
# OIDC tokens are exchanged for (federated identity credentials), so no client secret exists anywhere.
# Three identities, one per job kind, each with only what that job does:
#   plan     - terraform plan on pull requests and before an apply: read the stack and its state
#   infra    - terraform apply behind the <env>-infra GitHub Environment (required reviewers), then
#              verify the cluster
#   deployer - publish the function app package behind <env>-deployer, and roll it back
# What each workflow job asks for is test/iac/pipeline-contract.test.ts's table; the first apply is
# local (docs/azure-deployment.md, "Bootstrap"), every later one runs in .github/workflows/infra.yml.
variable "name" { type = string }
variable "location" { type = string }
variable "resource_group_name" { type = string }
variable "resource_group_id" { type = string }
variable "environment" { type = string }
variable "github_repository" { type = string }
variable "aks_id" { type = string }
# false: no deployer in this stack (another stack's serves it), so no deployer identity or publish grants.
variable "deployer_enabled" {
  type    = bool
  default = true
}
# The deployer's function app and storage account; null without a deployer.
variable "function_app_id" { type = string }
variable "storage_account_id" { type = string }
# The Terraform state account (infra/bootstrap); null: no state grants (state kept elsewhere).
variable "state_storage_account_id" {
  type    = string
  default = null
}
variable "tags" { type = map(string) }

locals {
  issuer   = "https://token.actions.githubusercontent.com"
  audience = ["api://AzureADTokenExchange"]
  # The subject GitHub puts in a job's token: the environment when the job names one.
  subjects = merge(
    {
      plan  = "repo:${var.github_repository}:environment:${var.environment}-plan"
      infra = "repo:${var.github_repository}:environment:${var.environment}-infra"
    },
    var.deployer_enabled ? { deployer = "repo:${var.github_repository}:environment:${var.environment}-deployer" } : {},
  )
  state_container = var.state_storage_account_id == null ? null : "${var.state_storage_account_id}/blobServices/default/containers/tfstate"

  # Roles the infra identity may never hand out or take away, by id: Owner, User Access Administrator,
  # Role Based Access Control Administrator (Azure's documented "constrain roles" condition), so it
  # cannot raise its own rights or anyone else's above what this stack needs.
  no_privileged_roles = <<-COND
    (
     (
      !(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})
     )
     OR
     (
      @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {8e3af657-a8ff-443c-a75c-2fe8c4bcb635, 18d7d88d-d35e-4fb5-a5c3-7773c20a72d9, f58310d9-a9f6-439a-9e8d-f62e7b41a168}
     )
    )
    AND
    (
     (
      !(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})
     )
     OR
     (
      @Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {8e3af657-a8ff-443c-a75c-2fe8c4bcb635, 18d7d88d-d35e-4fb5-a5c3-7773c20a72d9, f58310d9-a9f6-439a-9e8d-f62e7b41a168}
     )
    )
  COND
}

resource "azurerm_user_assigned_identity" "this" {
  for_each            = local.subjects
  name                = "id-${var.name}-gh-${each.key}"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

resource "azurerm_federated_identity_credential" "this" {
  for_each                  = local.subjects
  name                      = "github-${var.environment}-${each.key}"
  user_assigned_identity_id = azurerm_user_assigned_identity.this[each.key].id
  issuer                    = local.issuer
  audience                  = local.audience
  subject                   = each.value
}

# --- plan: read everything Terraform refreshes, change nothing ---

resource "azurerm_role_assignment" "plan_reader" {
  scope                = var.resource_group_id
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.this["plan"].principal_id
  principal_type       = "ServicePrincipal"
}

# Refreshing a few resources reads secrets-bearing properties that Reader does not include.
resource "azurerm_role_definition" "plan_refresh" {
  name              = "Tailspin pipeline (${var.name}) - plan refresh"
  scope             = var.resource_group_id
  description       = "The list actions terraform plan needs to refresh this stack; nothing that changes it."
  assignable_scopes = [var.resource_group_id]

  permissions {
    actions = [
      # azurerm_function_app_flex_consumption reads the app settings and connection strings.
      "Microsoft.Web/sites/config/list/action",
      # azurerm_kubernetes_cluster reads the (Entra-only) user kubeconfig.
      "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
      # azurerm_application_insights reads its API keys list.
      "Microsoft.Insights/components/apikeys/read",
    ]
    data_actions = []
  }
}

resource "azurerm_role_assignment" "plan_refresh" {
  scope              = var.resource_group_id
  role_definition_id = azurerm_role_definition.plan_refresh.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.this["plan"].principal_id
  principal_type     = "ServicePrincipal"
}

# Plans run with -lock=false: reading the state blob is enough.
resource "azurerm_role_assignment" "plan_state" {
  count                = local.state_container == null ? 0 : 1
  scope                = local.state_container
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.this["plan"].principal_id
  principal_type       = "ServicePrincipal"
}

# --- infra: change this resource group, and nothing outside it ---

resource "azurerm_role_assignment" "infra_contributor" {
  scope                = var.resource_group_id
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.this["infra"].principal_id
  principal_type       = "ServicePrincipal"
}

# Contributor excludes Microsoft.Authorization writes; the stack creates role assignments, custom role
# definitions and locks in this group. Assignments are constrained by the condition below.
resource "azurerm_role_definition" "infra_access" {
  name              = "Tailspin pipeline (${var.name}) - access and locks"
  scope             = var.resource_group_id
  description       = "Manage this stack's role assignments (never Owner, UAA or RBAC Administrator), custom roles and locks."
  assignable_scopes = var.state_storage_account_id == null ? [var.resource_group_id] : [var.resource_group_id, var.state_storage_account_id]

  permissions {
    actions = [
      "Microsoft.Authorization/roleAssignments/read",
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Authorization/roleAssignments/delete",
      "Microsoft.Authorization/roleDefinitions/read",
      "Microsoft.Authorization/roleDefinitions/write",
      "Microsoft.Authorization/roleDefinitions/delete",
      "Microsoft.Authorization/locks/read",
      "Microsoft.Authorization/locks/write",
      "Microsoft.Authorization/locks/delete",
    ]
    data_actions = []
  }
}

resource "azurerm_role_assignment" "infra_access" {
  scope              = var.resource_group_id
  role_definition_id = azurerm_role_definition.infra_access.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.this["infra"].principal_id
  principal_type     = "ServicePrincipal"
  condition_version  = "2.0"
  condition          = local.no_privileged_roles
}

# The state: read, write and lease (the lock) the state blobs.
resource "azurerm_role_assignment" "infra_state" {
  count                = local.state_container == null ? 0 : 1
  scope                = local.state_container
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.this["infra"].principal_id
  principal_type       = "ServicePrincipal"
}

# The lock on the state account (modules/guards) is created by this identity.
resource "azurerm_role_assignment" "infra_state_lock" {
  count              = var.state_storage_account_id == null ? 0 : 1
  scope              = var.state_storage_account_id
  role_definition_id = azurerm_role_definition.infra_access.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.this["infra"].principal_id
  principal_type     = "ServicePrincipal"
  condition_version  = "2.0"
  condition          = local.no_privileged_roles
}

# Verifying the cluster after an apply: its kubeconfig, then nodes, the namespace and the deployer's
# RBAC objects, read-only (Azure RBAC for Kubernetes data actions).
resource "azurerm_role_definition" "infra_verify" {
  name              = "Tailspin pipeline (${var.name}) - cluster verify"
  scope             = var.aks_id
  description       = "Read nodes, namespaces, roles and role bindings of one cluster."
  assignable_scopes = [var.aks_id]

  permissions {
    actions = []
    data_actions = [
      "Microsoft.ContainerService/managedClusters/nodes/read",
      "Microsoft.ContainerService/managedClusters/namespaces/read",
      "Microsoft.ContainerService/managedClusters/serviceaccounts/read",
      "Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/roles/read",
      "Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/rolebindings/read",
    ]
  }
}

resource "azurerm_role_assignment" "infra_verify" {
  scope              = var.aks_id
  role_definition_id = azurerm_role_definition.infra_verify.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.this["infra"].principal_id
  principal_type     = "ServicePrincipal"
}

# --- deployer: publish one function app, keep its last good package ---

# Packages that passed /api/health, kept so a failed publish can be rolled back to the previous one.
resource "azurerm_storage_container" "releases" {
  count = var.deployer_enabled ? 1 : 0
  #checkov:skip=CKV2_AZURE_21:Blob logs of this account go to Log Analytics through the function app module's diagnostic setting (allLogs); checkov only recognises classic Storage Analytics logging, which needs shared keys.
  name                  = "deployer-releases"
  storage_account_id    = var.storage_account_id
  container_access_type = "private"
}

resource "azurerm_role_definition" "deployer_publish" {
  count             = var.deployer_enabled ? 1 : 0
  name              = "Tailspin pipeline (${var.name}) - publish"
  scope             = var.function_app_id
  description       = "Publish a package to one function app (OneDeploy with an Entra token)."
  assignable_scopes = [var.function_app_id]

  permissions {
    actions = [
      # az functionapp deployment source config-zip: read the app and its settings, check that basic
      # publishing credentials are off, then POST the package to the SCM site's /api/publish.
      "Microsoft.Web/sites/read",
      "Microsoft.Web/sites/config/list/action",
      "Microsoft.Web/sites/basicPublishingCredentialsPolicies/read",
      "Microsoft.Web/sites/publish/action",
    ]
    data_actions = []
  }
}

resource "azurerm_role_assignment" "deployer_publish" {
  count              = var.deployer_enabled ? 1 : 0
  scope              = var.function_app_id
  role_definition_id = azurerm_role_definition.deployer_publish[0].role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.this["deployer"].principal_id
  principal_type     = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deployer_releases" {
  count                = var.deployer_enabled ? 1 : 0
  scope                = azurerm_storage_container.releases[0].id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.this["deployer"].principal_id
  principal_type       = "ServicePrincipal"
}

output "client_ids" { value = { for k, v in azurerm_user_assigned_identity.this : k => v.client_id } }
output "principal_ids" { value = { for k, v in azurerm_user_assigned_identity.this : k => v.principal_id } }
output "github_environments" { value = { for k, _ in local.subjects : k => "${var.environment}-${k}" } }
output "releases_container_name" { value = var.deployer_enabled ? azurerm_storage_container.releases[0].name : null }

# Stacks applied before deployer_enabled existed keep these where they are.
moved {
  from = azurerm_storage_container.releases
  to   = azurerm_storage_container.releases[0]
}
moved {
  from = azurerm_role_definition.deployer_publish
  to   = azurerm_role_definition.deployer_publish[0]
}
moved {
  from = azurerm_role_assignment.deployer_publish
  to   = azurerm_role_assignment.deployer_publish[0]
}
moved {
  from = azurerm_role_assignment.deployer_releases
  to   = azurerm_role_assignment.deployer_releases[0]
}
