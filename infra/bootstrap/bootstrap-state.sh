#!/usr/bin/env bash
# Creates the Terraform state store once per subscription: resource group
# rg-terraform-state, a storage account with no shared keys, container tfstate.
# Terraform locks state with a blob lease on it. Also registers the subscription
# feature the node pool needs (EncryptionAtHost) and waits until it is active.
# Needs: az login, Owner or Contributor + User Access Administrator on the subscription.
#   infra/bootstrap/bootstrap-state.sh <subscription-id> [location] [account-name]
# Every step either succeeds or stops the script with the reason; waits have a deadline.
set -euo pipefail

SUB="${1:?usage: $0 <subscription-id> [location] [storage-account-name]}"
LOC="${2:-eastus2}"
ACCOUNT="${3:-sttfstate$(printf %s "$SUB" | sha1sum | cut -c1-8)}"
RG=rg-terraform-state
WAIT_SECONDS="${BOOTSTRAP_WAIT_SECONDS:-900}"

die() { echo "bootstrap-state: $*" >&2; exit 1; }

# until_ok <what> <command...>: retry every 15 s until the command succeeds or the deadline passes.
until_ok() {
  local what="$1"; shift
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "$what: not ready after ${WAIT_SECONDS}s (last command: $*)"
    echo "  waiting: $what"
    sleep 15
  done
}

az account set --subscription "$SUB"
az group create -n "$RG" -l "$LOC" -o none
az storage account create -n "$ACCOUNT" -g "$RG" -l "$LOC" \
  --sku Standard_GZRS --kind StorageV2 --min-tls-version TLS1_2 \
  --allow-blob-public-access false --allow-shared-key-access false -o none
# State history: recover an overwritten or deleted state file.
az storage account blob-service-properties update -n "$ACCOUNT" -g "$RG" \
  --enable-versioning true --enable-delete-retention true --delete-retention-days 30 -o none

# Whoever runs Terraform needs data-plane access (use_azuread_auth = true).
SCOPE="$(az storage account show -n "$ACCOUNT" -g "$RG" --query id -o tsv)"
if ME_ID="$(az ad signed-in-user show --query id -o tsv 2>/dev/null)" && [[ -n "$ME_ID" ]]; then
  ASSIGNEE=(--assignee-object-id "$ME_ID" --assignee-principal-type User)
else
  # A service principal (CI): its object id from the token's app id.
  APP_ID="$(az account show --query user.name -o tsv)"
  ME_ID="$(az ad sp show --id "$APP_ID" --query id -o tsv)" || die "cannot resolve the signed-in principal ($APP_ID)"
  ASSIGNEE=(--assignee-object-id "$ME_ID" --assignee-principal-type ServicePrincipal)
fi
EXISTING="$(az role assignment list --scope "$SCOPE" --role "Storage Blob Data Contributor" --assignee "$ME_ID" --query "length(@)" -o tsv)"
if [[ "$EXISTING" == 0 ]]; then
  az role assignment create "${ASSIGNEE[@]}" --role "Storage Blob Data Contributor" --scope "$SCOPE" -o none ||
    die "could not grant Storage Blob Data Contributor on $ACCOUNT (needs Owner or User Access Administrator)"
fi
# Role assignments take a while to reach the data plane: retry the real call, not a fixed sleep.
until_ok "data-plane access to $ACCOUNT (role assignment propagating)" \
  az storage container create -n tfstate --account-name "$ACCOUNT" --auth-mode login

# AKS nodes use encryption at host, a subscription feature that must be Registered before apply,
# and the resource provider must be re-registered afterwards for it to take effect.
az feature register --namespace Microsoft.Compute --name EncryptionAtHost -o none
feature_registered() {
  [[ "$(az feature show --namespace Microsoft.Compute --name EncryptionAtHost --query properties.state -o tsv)" == Registered ]]
}
until_ok "feature Microsoft.Compute/EncryptionAtHost" feature_registered
for ns in Microsoft.Compute Microsoft.ContainerService Microsoft.ContainerRegistry Microsoft.Web \
  Microsoft.OperationalInsights Microsoft.Insights Microsoft.AlertsManagement Microsoft.KeyVault Microsoft.EventGrid; do
  az provider register --namespace "$ns" --wait -o none || die "registering resource provider $ns failed"
done

printf 'storage_account_name = "%s"\n' "$ACCOUNT" > "$(dirname "$0")/../environments/backend.hcl"
echo "State store ready. Next: cd infra && terraform init -backend-config=environments/backend.hcl"
