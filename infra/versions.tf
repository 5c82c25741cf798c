terraform {
  # 1.9: variable validations may refer to other variables (authorized_ip_ranges, name lengths).
  required_version = ">= 1.9.0"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # 5.x: the storage account no longer reads queue properties over the data plane (4.x needed a
      # queue data role for whoever runs Terraform). `~> 5.2` = any 5.x from 5.2 on, never 6.
      version = "~> 5.2"
    }
  }

  # Remote state in Azure Storage; the blob lease is the state lock.
  # storage_account_name is passed at init (-backend-config), because it is
  # globally unique and created by bootstrap/bootstrap-state.sh.
  backend "azurerm" {
    resource_group_name = "rg-terraform-state"
    container_name      = "tfstate"
    key                 = "tailspin-aks.tfstate"
    use_azuread_auth    = true
  }
}

provider "azurerm" {
  subscription_id = var.subscription_id
  # Storage data-plane calls with Entra ID: the state and app storage accounts disable shared keys.
  storage_use_azuread = true

  features {
    key_vault {
      # Purge protection is on: never try to purge on destroy.
      purge_soft_delete_on_destroy = false
    }
    application_insights {
      # Azure adds a "Failure Anomalies" rule outside the state; the provider disables it on create
      # and deletes it on destroy, so the resource group can go.
      disable_generated_rule = true
    }
    resource_group {
      # The resource group belongs to this stack alone. Azure adds resources Terraform never sees
      # (the "Application Insights Smart Detection" action group, up to an hour after create;
      # monitoring add-ons of AKS), and they would stop `terraform destroy` at the last step.
      prevent_deletion_if_contains_resources = false
    }
    template_deployment {
      # The app-settings deployment (modules/functionapp) must not try to DELETE sites/config/appsettings.
      delete_nested_items_during_deletion = false
    }
  }
}
