# "Tailspin releases": an Azure Monitor workbook over the deployer's own telemetry in the workspace —
# outcomes over time, time to verified, rollbacks with their reasons, per app. Every query below is
# analysed by the Kusto language service against the tables' published schemas, with each workbook
# parameter substituted as the workbook would, in test/iac/workbook.test.ts.
variable "name" { type = string }
variable "location" { type = string }
variable "resource_group_name" { type = string }
variable "workspace_id" { type = string }
variable "tags" { type = map(string) }

locals {
  # {App} is the App parameter: an app name, or * for all of them.
  app_filter = "| where \"{App}\" == \"*\" or app == \"{App}\""

  queries = {
    apps             = <<-KQL
      AppMetrics
      | where Name == "tailspin.releases.completed"
      | summarize by app = tostring(Properties["app"])
      | order by app asc
    KQL
    outcomes         = <<-KQL
      AppMetrics
      | where Name == "tailspin.releases.completed"
      | extend app = tostring(Properties["app"]), outcome = tostring(Properties["outcome"])
      ${local.app_filter}
      | summarize releases = sum(Sum) by bin(TimeGenerated, 1h), outcome
      | order by TimeGenerated asc
    KQL
    per_app          = <<-KQL
      AppMetrics
      | where Name == "tailspin.releases.completed"
      | extend app = tostring(Properties["app"]), environment = tostring(Properties["environment"]), outcome = tostring(Properties["outcome"])
      ${local.app_filter}
      | summarize total = sum(Sum), succeeded = sumif(Sum, outcome == "succeeded"), rolledBack = sumif(Sum, outcome == "rolled_back"), failed = sumif(Sum, outcome == "failed"), blocked = sumif(Sum, outcome == "blocked"), unverified = sumif(Sum, outcome == "unverified") by app, environment
      | extend successRate = round(100.0 * succeeded / total, 1)
      | order by app asc, environment asc
    KQL
    time_to_verified = <<-KQL
      AppDependencies
      | where Name startswith "release " and tostring(Properties["outcome"]) == "succeeded"
      | extend app = tostring(Properties["app"])
      ${local.app_filter}
      | summarize releases = count(), p50Minutes = round(percentile(DurationMs, 50) / 60000.0, 1), p95Minutes = round(percentile(DurationMs, 95) / 60000.0, 1), maxMinutes = round(max(DurationMs) / 60000.0, 1) by app
      | order by app asc
    KQL
    phases           = <<-KQL
      AppMetrics
      | where Name == "tailspin.release.phase.duration"
      | extend app = tostring(Properties["app"]), phase = tostring(Properties["phase"])
      ${local.app_filter}
      | summarize meanSeconds = round(sum(Sum) / sum(ItemCount), 1), longestSeconds = round(max(Max), 1), times = sum(ItemCount) by app, phase
      | order by app asc, meanSeconds desc
    KQL
    rollbacks        = <<-KQL
      AppDependencies
      | where Name startswith "release " and tostring(Properties["outcome"]) in ("rolled_back", "failed")
      | extend app = tostring(Properties["app"]), environment = tostring(Properties["environment"]), releaseId = tostring(Properties["release.id"]), outcome = tostring(Properties["outcome"]), reason = tostring(Properties["reason"])
      ${local.app_filter}
      | project TimeGenerated, app, environment, releaseId, outcome, reason, minutes = round(DurationMs / 60000.0, 1), OperationId
      | order by TimeGenerated desc
    KQL
  }

  # A query step of the workbook (KqlItem) over the workspace, in the selected time range.
  step = {
    for k, q in local.queries : k => {
      version                  = "KqlItem/1.0"
      query                    = q
      size                     = 0
      queryType                = 0
      resourceType             = "microsoft.operationalinsights/workspaces"
      crossComponentResources  = [var.workspace_id]
      timeContextFromParameter = "TimeRange"
      timeContext              = { durationMs = 604800000 }
    }
  }

  workbook = {
    version = "Notebook/1.0"
    items = [
      {
        type    = 1
        name    = "title"
        content = { json = "## Tailspin releases\nEvery release the deployer finished in this workspace's environments: outcomes, time to verified, time in each phase, and why releases were rolled back. Data: the deployer's own telemetry (`tailspin.*` metrics in AppMetrics, one `release <app>` span per release in AppDependencies)." }
      },
      {
        type = 9
        name = "parameters"
        content = {
          version = "KqlParameterItem/1.0"
          parameters = [
            {
              id      = "0d7f3f6e-6a6c-4d5e-9d1f-2f3c1a5b7e01"
              version = "KqlParameterItem/1.0"
              name    = "TimeRange"
              type    = 4
              value   = { durationMs = 604800000 }
              typeSettings = {
                selectableValues = [for ms in [86400000, 259200000, 604800000, 1209600000, 2592000000] : { durationMs = ms }]
              }
            },
            {
              id                       = "0d7f3f6e-6a6c-4d5e-9d1f-2f3c1a5b7e02"
              version                  = "KqlParameterItem/1.0"
              name                     = "App"
              type                     = 2
              query                    = local.queries.apps
              crossComponentResources  = [var.workspace_id]
              value                    = "*"
              typeSettings             = { additionalResourceOptions = ["value::all"], selectAllValue = "*", showDefault = false }
              timeContextFromParameter = "TimeRange"
              queryType                = 0
              resourceType             = "microsoft.operationalinsights/workspaces"
            },
          ]
        }
      },
      { type = 3, name = "outcomes", content = merge(local.step.outcomes, { title = "Release outcomes over time", visualization = "barchart" }) },
      { type = 3, name = "per-app", content = merge(local.step.per_app, { title = "Per app and environment", visualization = "table" }) },
      { type = 3, name = "time-to-verified", content = merge(local.step.time_to_verified, { title = "Time to verified (creation to succeeded)", visualization = "table" }) },
      { type = 3, name = "phases", content = merge(local.step.phases, { title = "Time in each phase", visualization = "table" }) },
      { type = 3, name = "rollbacks", content = merge(local.step.rollbacks, { title = "Rollbacks and failed rollbacks, with their reasons", visualization = "table" }) },
    ]
    fallbackResourceIds = [var.workspace_id]
    "$schema"           = "https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json"
  }
}

resource "azurerm_application_insights_workbook" "releases" {
  # Workbook names are GUIDs: a stable one per stack.
  name                = uuidv5("url", "https://tailspin.dev/workbooks/releases/${var.name}")
  display_name        = "Tailspin releases (${var.name})"
  location            = var.location
  resource_group_name = var.resource_group_name
  source_id           = lower(var.workspace_id)
  category            = "workbook"
  data_json           = jsonencode(local.workbook)
  tags                = var.tags
}

output "id" { value = azurerm_application_insights_workbook.releases.id }
