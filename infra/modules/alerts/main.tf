# Standing alerts: the deploy-time gate protects one release, these protect the hours after it.
# One action group (email, optional webhook) for all of them. Every query runs on the Log Analytics
# workspace that workspace-based Application Insights and Container Insights write to, and every one
# is analysed by Microsoft's Kusto language service against the tables' published schemas in
# test/iac/kql-alerts.test.ts.
#
# Severities: 0 critical (a rollback failed: the app may be down with nobody deploying), 1 error (users
# see failures now, a node is gone), 2 warning (slow, crashing pods, work parked, nobody told).
variable "name" { type = string }
variable "resource_group_name" { type = string }
variable "location" { type = string }
variable "environment" { type = string }
variable "workspace_id" { type = string }
# false: no deployer in this stack (another stack's serves this environment): none of its own alerts.
variable "deployer_enabled" {
  type    = bool
  default = true
}
# The registry's Event Grid topic and the deployer's role name: null without a deployer.
variable "eventgrid_system_topic_id" { type = string }
# The apps' Application Insights role names (AppRoleName), as the catalog queries them.
variable "app_role_names" { type = list(string) }
# The deployer's own role name in Application Insights: the function app's name.
variable "deployer_role_name" { type = string }
variable "namespace" { type = string }
variable "queue_name" { type = string }
variable "emails" { type = list(string) }
variable "webhook_url" {
  type      = string
  sensitive = true
}
variable "error_rate_max" { type = number }
variable "p95_ms_max" { type = number }
variable "min_requests" { type = number }
variable "tags" { type = map(string) }

resource "azurerm_monitor_action_group" "this" {
  name                = "ag-${var.name}"
  resource_group_name = var.resource_group_name
  short_name          = substr("tailspin${var.environment}", 0, 12)
  tags                = var.tags

  dynamic "email_receiver" {
    for_each = toset(var.emails)
    content {
      name                    = "email-${email_receiver.key}"
      email_address           = email_receiver.key
      use_common_alert_schema = true
    }
  }

  dynamic "webhook_receiver" {
    for_each = var.webhook_url == null ? [] : [1]
    content {
      name                    = "webhook"
      service_uri             = var.webhook_url
      use_common_alert_schema = true
    }
  }
}

# --- the apps: the verification rule's thresholds, standing (same KQL shape as the deployer's query) ---

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "app_error_rate" {
  for_each             = toset(var.app_role_names)
  name                 = "alert-${var.name}-${each.value}-error-rate"
  display_name         = "${each.value} (${var.environment}): error rate above ${var.error_rate_max * 100} %"
  description          = "More than ${var.error_rate_max * 100} % of requests failed over 15 minutes (at least ${var.min_requests} requests)."
  resource_group_name  = var.resource_group_name
  location             = var.location
  scopes               = [var.workspace_id]
  severity             = 1
  evaluation_frequency = "PT5M"
  window_duration      = "PT15M"
  tags                 = var.tags

  criteria {
    query                   = <<-KQL
      AppRequests
      | where AppRoleName == "${each.value}"
      | summarize requests = sum(ItemCount), failures = sumif(ItemCount, Success == false)
      | where requests >= ${var.min_requests}
      | extend errorRate = todouble(failures) / requests
    KQL
    time_aggregation_method = "Maximum"
    metric_measure_column   = "errorRate"
    operator                = "GreaterThan"
    threshold               = var.error_rate_max
  }

  action {
    action_groups = [azurerm_monitor_action_group.this.id]
  }
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "app_p95" {
  for_each             = toset(var.app_role_names)
  name                 = "alert-${var.name}-${each.value}-p95"
  display_name         = "${each.value} (${var.environment}): P95 above ${var.p95_ms_max} ms"
  description          = "The 95th percentile of request durations over 15 minutes is above ${var.p95_ms_max} ms (at least ${var.min_requests} requests)."
  resource_group_name  = var.resource_group_name
  location             = var.location
  scopes               = [var.workspace_id]
  severity             = 2
  evaluation_frequency = "PT5M"
  window_duration      = "PT15M"
  tags                 = var.tags

  criteria {
    query                   = <<-KQL
      AppRequests
      | where AppRoleName == "${each.value}"
      | summarize requests = sum(ItemCount), p95Ms = percentilew(DurationMs, ItemCount, 95)
      | where requests >= ${var.min_requests}
    KQL
    time_aggregation_method = "Maximum"
    metric_measure_column   = "p95Ms"
    operator                = "GreaterThan"
    threshold               = var.p95_ms_max
  }

  action {
    action_groups = [azurerm_monitor_action_group.this.id]
  }
}

# --- the cluster (Container Insights) ---

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "pod_restarts" {
  name                 = "alert-${var.name}-pod-restarts"
  display_name         = "Pods in ${var.namespace} (${var.environment}) crash-looping or restarting"
  description          = "A container of a Deployment in ${var.namespace} is in CrashLoopBackOff, or restarted 3 or more times in 15 minutes."
  resource_group_name  = var.resource_group_name
  location             = var.location
  scopes               = [var.workspace_id]
  severity             = 2
  evaluation_frequency = "PT5M"
  window_duration      = "PT15M"
  tags                 = var.tags

  criteria {
    query                   = <<-KQL
      KubePodInventory
      | where Namespace == "${var.namespace}"
      | summarize restarts = max(ContainerRestartCount) - min(ContainerRestartCount), crashLoops = countif(ContainerStatusReason == "CrashLoopBackOff") by ControllerName
      | where crashLoops > 0 or restarts >= 3
    KQL
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 0

    dimension {
      name     = "ControllerName"
      operator = "Include"
      values   = ["*"]
    }
  }

  action {
    action_groups = [azurerm_monitor_action_group.this.id]
  }
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "node_not_ready" {
  name                 = "alert-${var.name}-node-not-ready"
  display_name         = "AKS node not Ready (${var.environment})"
  description          = "A node's last reported conditions do not include Ready (KubeNodeInventory.Status lists the conditions that are true)."
  resource_group_name  = var.resource_group_name
  location             = var.location
  scopes               = [var.workspace_id]
  severity             = 1
  evaluation_frequency = "PT5M"
  window_duration      = "PT15M"
  tags                 = var.tags

  criteria {
    query                   = <<-KQL
      KubeNodeInventory
      | summarize arg_max(TimeGenerated, Status) by Computer
      | where Status !has "Ready"
    KQL
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 0

    dimension {
      name     = "Computer"
      operator = "Include"
      values   = ["*"]
    }
  }

  action {
    action_groups = [azurerm_monitor_action_group.this.id]
  }
}

# --- the deployer itself: its invocations, its parked work, its releases, its notifications ---

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "deployer_failures" {
  count                = var.deployer_enabled ? 1 : 0
  name                 = "alert-${var.name}-deployer-failures"
  display_name         = "Deployer (${var.environment}): function invocations failing"
  description          = "The deployer's own functions (webhook, events, pipeline, sweeper) failed in the last 15 minutes: its Application Insights requests."
  resource_group_name  = var.resource_group_name
  location             = var.location
  scopes               = [var.workspace_id]
  severity             = 2
  evaluation_frequency = "PT5M"
  window_duration      = "PT15M"
  tags                 = var.tags

  criteria {
    query                   = <<-KQL
      AppRequests
      | where AppRoleName == "${var.deployer_role_name}"
      | summarize failures = sumif(ItemCount, Success == false) by OperationName
      | where failures > 0
    KQL
    time_aggregation_method = "Total"
    metric_measure_column   = "failures"
    operator                = "GreaterThan"
    threshold               = 0

    dimension {
      name     = "OperationName"
      operator = "Include"
      values   = ["*"]
    }
  }

  action {
    action_groups = [azurerm_monitor_action_group.this.id]
  }
}

# The Functions host parks a message that failed five times in <queue>-poison or <queue>-admit-poison: a PutMessage there.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "poison_queue" {
  count                = var.deployer_enabled ? 1 : 0
  name                 = "alert-${var.name}-poison-queue"
  display_name         = "Deployer (${var.environment}): work parked in the poison queue"
  description          = "A pipeline work item or an accepted event's admission failed five times and was moved to ${var.queue_name}-poison or ${var.queue_name}-admit-poison (storage queue logs). The sweeper re-drives overdue releases and gives parked admissions back for an hour; look at why it failed."
  resource_group_name  = var.resource_group_name
  location             = var.location
  scopes               = [var.workspace_id]
  severity             = 2
  evaluation_frequency = "PT5M"
  window_duration      = "PT15M"
  tags                 = var.tags

  criteria {
    query                   = <<-KQL
      StorageQueueLogs
      | where OperationName == "PutMessage" and StatusText == "Success"
      | where Uri contains "/${var.queue_name}-poison/messages" or Uri contains "/${var.queue_name}-admit-poison/messages"
      | summarize parked = count()
    KQL
    time_aggregation_method = "Total"
    metric_measure_column   = "parked"
    operator                = "GreaterThan"
    threshold               = 0
  }

  action {
    action_groups = [azurerm_monitor_action_group.this.id]
  }
}

# Releases that ended badly, from the deployer's own metric tailspin.releases.completed (src/services/telemetry).
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "release_outcome" {
  for_each             = var.deployer_enabled ? { failed = 0, unverified = 2 } : {}
  name                 = "alert-${var.name}-release-${each.key}"
  display_name         = "A release ended ${each.key} (${var.environment})"
  description          = each.key == "failed" ? "A rollback itself failed: the app may be running a bad release and automation has stopped for it." : "A release could not be verified (telemetry unreadable) and was kept running unverified."
  resource_group_name  = var.resource_group_name
  location             = var.location
  scopes               = [var.workspace_id]
  severity             = each.value
  evaluation_frequency = "PT5M"
  window_duration      = "PT15M"
  tags                 = var.tags

  criteria {
    query                   = <<-KQL
      AppMetrics
      | where Name == "tailspin.releases.completed"
      | extend outcome = tostring(Properties["outcome"]), app = tostring(Properties["app"])
      | where outcome == "${each.key}"
      | summarize releases = sum(Sum) by app
    KQL
    time_aggregation_method = "Total"
    metric_measure_column   = "releases"
    operator                = "GreaterThan"
    threshold               = 0

    dimension {
      name     = "app"
      operator = "Include"
      values   = ["*"]
    }
  }

  action {
    action_groups = [azurerm_monitor_action_group.this.id]
  }
}

# Terminal releases whose GitHub notices keep failing (token expired, GitHub down) for half an hour.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "notification_backlog" {
  count                = var.deployer_enabled ? 1 : 0
  name                 = "alert-${var.name}-notification-backlog"
  display_name         = "Deployer (${var.environment}): GitHub notifications not delivered"
  description          = "Finished releases have had statuses, deployments or issues waiting to be sent for 30 minutes: GitHub is not hearing about outcomes."
  resource_group_name  = var.resource_group_name
  location             = var.location
  scopes               = [var.workspace_id]
  severity             = 2
  evaluation_frequency = "PT15M"
  window_duration      = "PT15M"
  tags                 = var.tags

  criteria {
    query                   = <<-KQL
      AppMetrics
      | where Name == "tailspin.notifications.pending"
      | summarize pending = max(Max)
    KQL
    time_aggregation_method = "Maximum"
    metric_measure_column   = "pending"
    operator                = "GreaterThan"
    threshold               = 0

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 2
      number_of_evaluation_periods             = 2
    }
  }

  action {
    action_groups = [azurerm_monitor_action_group.this.id]
  }
}

# Event Grid's own count of ImagePushed events it gave up delivering (dead-lettered) or dropped.
resource "azurerm_monitor_metric_alert" "eventgrid" {
  for_each            = var.deployer_enabled ? { DeadLetteredCount = 2, DroppedEventCount = 1 } : {}
  name                = "alert-${var.name}-eventgrid-${lower(each.key)}"
  resource_group_name = var.resource_group_name
  scopes              = [var.eventgrid_system_topic_id]
  description         = "ACR push events the deployer never received (${each.key} on the registry's system topic)."
  severity            = each.value
  frequency           = "PT5M"
  window_size         = "PT15M"
  tags                = var.tags

  criteria {
    metric_namespace = "Microsoft.EventGrid/systemTopics"
    metric_name      = each.key
    aggregation      = "Total"
    operator         = "GreaterThan"
    threshold        = 0
  }

  action {
    action_group_id = azurerm_monitor_action_group.this.id
  }
}

output "action_group_id" { value = azurerm_monitor_action_group.this.id }

# Stacks applied before deployer_enabled existed keep these rules where they are.
moved {
  from = azurerm_monitor_scheduled_query_rules_alert_v2.deployer_failures
  to   = azurerm_monitor_scheduled_query_rules_alert_v2.deployer_failures[0]
}
moved {
  from = azurerm_monitor_scheduled_query_rules_alert_v2.poison_queue
  to   = azurerm_monitor_scheduled_query_rules_alert_v2.poison_queue[0]
}
moved {
  from = azurerm_monitor_scheduled_query_rules_alert_v2.notification_backlog
  to   = azurerm_monitor_scheduled_query_rules_alert_v2.notification_backlog[0]
}
