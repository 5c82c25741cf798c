#!/usr/bin/env bash
# Publish the deployer's package to its Flex Consumption app, keep the last package that passed
# /api/health, and put that one back when a new one does not. Runs with the az CLI logged in as the
# pipeline's deployer identity (publish on the app, blob data on the releases container only).
#   scripts/publish-deployer.sh publish <zip> <sha>   OneDeploy of the package
#   scripts/publish-deployer.sh keep <zip> <sha>      store it as good/<sha>.zip and good/latest.zip
#   scripts/publish-deployer.sh rollback              publish good/latest.zip again
# Settings (GitHub Environment variables): RESOURCE_GROUP, FUNCTION_APP_NAME, RELEASES_ACCOUNT,
# RELEASES_CONTAINER.
set -euo pipefail
: "${RESOURCE_GROUP:?}" "${FUNCTION_APP_NAME:?}" "${RELEASES_ACCOUNT:?}" "${RELEASES_CONTAINER:?}"

blob() { # blob <az storage blob subcommand> <args...>: Entra auth, never account keys (there are none)
  local sub="$1"; shift
  az storage blob "$sub" --auth-mode login --account-name "$RELEASES_ACCOUNT" --container-name "$RELEASES_CONTAINER" \
    --only-show-errors "$@"
}

publish() {
  az functionapp deployment source config-zip -g "$RESOURCE_GROUP" -n "$FUNCTION_APP_NAME" --src "$1" --only-show-errors -o none
}

case "${1:-}" in
  publish)
    [[ -f "${2:-}" && "${3:-}" =~ ^[0-9a-f]{40}$ ]] || { echo "usage: $0 publish <zip> <sha>" >&2; exit 2; }
    echo "publishing $3 to $FUNCTION_APP_NAME"
    publish "$2"
    ;;
  keep)
    [[ -f "${2:-}" && "${3:-}" =~ ^[0-9a-f]{40}$ ]] || { echo "usage: $0 keep <zip> <sha>" >&2; exit 2; }
    blob upload --overwrite --file "$2" --name "good/$3.zip" -o none
    blob upload --overwrite --file "$2" --name good/latest.zip --metadata "sha=$3" -o none
    echo "kept $3 as the last good package"
    ;;
  rollback)
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    if ! blob download --name good/latest.zip --file "$tmp/previous.zip" -o none; then
      echo "no previous good package in $RELEASES_CONTAINER: nothing to roll back to (first publish?)" >&2
      exit 1
    fi
    sha="$(blob metadata show --name good/latest.zip --query sha -o tsv || echo unknown)"
    echo "rolling $FUNCTION_APP_NAME back to $sha"
    publish "$tmp/previous.zip"
    ;;
  *)
    echo "usage: $0 publish <zip> <sha> | keep <zip> <sha> | rollback" >&2
    exit 2
    ;;
esac
