terraform {
  required_version = ">= 1.9.0"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # 4.57 is the first 4.x with every argument used here (node_provisioning_profile);
      # the configuration avoids everything 5.0 removed, so 5.x works too.
      version = ">= 4.57.0, < 6.0.0"
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
    resource_group {
      prevent_deletion_if_contains_resources = true
    }
  }
}
