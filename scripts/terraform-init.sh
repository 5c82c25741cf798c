#!/usr/bin/env bash
# terraform init for one environment in CI: the remote state (the account from infra/bootstrap,
# Entra auth through the job's OIDC identity: ARM_USE_OIDC and ARM_CLIENT_ID in the environment),
# then that environment's workspace (dev: "dev", prod: "default", as environments/*.tfvars say).
#   scripts/terraform-init.sh <environment> <state-storage-account>
set -euo pipefail
ENVIRONMENT="${1:?usage: $0 <environment> <state-storage-account>}"
ACCOUNT="${2:?usage: $0 <environment> <state-storage-account> (GitHub Environment variable TF_STATE_ACCOUNT)}"
[[ "$ENVIRONMENT" =~ ^[a-z][a-z0-9]{1,7}$ ]] || { echo "bad environment name: $ENVIRONMENT" >&2; exit 2; }
[[ "$ACCOUNT" =~ ^[a-z0-9]{3,24}$ ]] || { echo "bad storage account name: $ACCOUNT" >&2; exit 2; }
cd "$(dirname "$0")/../infra"
terraform init -no-color -input=false -backend-config="storage_account_name=$ACCOUNT"
workspace=default
[[ "$ENVIRONMENT" == prod ]] || workspace="$ENVIRONMENT"
terraform workspace select -or-create "$workspace"
