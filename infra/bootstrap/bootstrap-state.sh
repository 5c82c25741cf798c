#!/usr/bin/env bash
# Creates the Terraform state store once per subscription: resource group
# rg-terraform-state, a storage account with no shared keys, container tfstate.
# Terraform locks state with a blob lease on it. Needs: az login, Owner or
# Contributor + User Access Administrator on the subscription.
#   infra/bootstrap/bootstrap-state.sh <subscription-id> [location] [account-name]
set -euo pipefail

SUB="${1:?usage: $0 <subscription-id> [location] [storage-account-name]}"
LOC="${2:-eastus2}"
ACCOUNT="${3:-sttfstate$(printf %s "$SUB" | sha1sum | cut -c1-8)}"
RG=rg-terraform-state

az account set --subscription "$SUB"
az group create -n "$RG" -l "$LOC" -o none
az storage account create -n "$ACCOUNT" -g "$RG" -l "$LOC" \
  --sku Standard_GZRS --kind StorageV2 --min-tls-version TLS1_2 \
  --allow-blob-public-access false --allow-shared-key-access false -o none
# State history: recover an overwritten or deleted state file.
az storage account blob-service-properties update -n "$ACCOUNT" -g "$RG" \
  --enable-versioning true --enable-delete-retention true --delete-retention-days 30 -o none

# Whoever runs Terraform needs data-plane access (use_azuread_auth = true).
ME=$(az ad signed-in-user show --query id -o tsv 2>/dev/null || az account show --query user.name -o tsv)
az role assignment create --assignee "$ME" --role "Storage Blob Data Contributor" \
  --scope "$(az storage account show -n "$ACCOUNT" -g "$RG" --query id -o tsv)" -o none || true
echo "waiting for the role assignment to propagate..." && sleep 30
az storage container create -n tfstate --account-name "$ACCOUNT" --auth-mode login -o none

# AKS nodes use encryption at host, a one-time subscription feature.
az feature register --namespace Microsoft.Compute --name EncryptionAtHost -o none
az provider register --namespace Microsoft.Compute -o none

printf 'storage_account_name = "%s"\n' "$ACCOUNT" > "$(dirname "$0")/../environments/backend.hcl"
echo "State store ready. Next: cd infra && terraform init -backend-config=environments/backend.hcl"
