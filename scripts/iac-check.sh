#!/usr/bin/env bash
# Checks infra/ and k8s/ with real tools:
#   1. terraform fmt -check            (needs only the terraform binary)
#   2. terraform validate              (needs the azurerm provider; see below)
#      + the provider lock file         (checked when present; only the registry can produce it)
#   3. checkov on infra/ and k8s/      (installed from PyPI if missing)
#   4. vitest test/iac: k8s/ against the Kubernetes OpenAPI schema, and the contract tests
#      (settings, permissions, names, smoke path, apps wiring, baseline)
#   5. kubectl apply --dry-run=server  (only when IAC_KUBECONFIG points at a cluster)
# Every step prints PASS, FAIL or SKIP with the reason; exit 1 if any FAIL
# (or any SKIP with IAC_STRICT=1).
#
# The Terraform registry is not reachable from every machine. The azurerm
# provider can instead be built from the Go module proxy into a cache:
#   IAC_BUILD_PROVIDER=1 scripts/iac-check.sh   (46 min measured on 2 shared cores, once)
# or point AZURERM_PROVIDER_BIN at a terraform-provider-azurerm binary.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${TAILSPIN_CACHE:-$HOME/.cache/tailspin}"
CHECKOV_VERSION=3.3.30
# Main-branch snapshot of terraform-provider-azurerm (5.2.0) that the Go proxy serves.
AZURERM_MODULE=github.com/hashicorp/terraform-provider-azurerm@v1.44.1-0.20260824201233-fae580791926
AZURERM_VERSION=5.2.0
AZURERM_PROVIDER_BIN="${AZURERM_PROVIDER_BIN:-$CACHE/bin/terraform-provider-azurerm}"

declare -a RESULTS=()
FAILED=0
SKIPPED=0
pass() { RESULTS+=("PASS  $1"); echo "==> PASS: $1"; }
fail() { RESULTS+=("FAIL  $1"); echo "==> FAIL: $1"; FAILED=1; }
skip() { RESULTS+=("SKIP  $1"); echo "==> SKIP: $1"; SKIPPED=1; }
step() { echo; echo "---- $1"; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# Never read the user's CLI config (it may point at other mirrors).
export TF_CLI_CONFIG_FILE="$TMP/terraformrc"
: >"$TF_CLI_CONFIG_FILE"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

# ---- 1. terraform fmt
step "terraform fmt -check"
if command -v terraform >/dev/null; then
  if terraform fmt -check -recursive -diff "$ROOT/infra"; then
    pass "terraform fmt -check ($(terraform version | head -1))"
  else
    fail "terraform fmt -check: run 'terraform fmt -recursive infra'"
  fi
else
  skip "terraform fmt: no terraform binary on PATH (install Terraform >= 1.9 to run it)"
fi

# ---- 2. terraform validate
step "terraform validate"
if [[ ! -x "$AZURERM_PROVIDER_BIN" && "${IAC_BUILD_PROVIDER:-0}" == 1 ]] && command -v go >/dev/null; then
  echo "building $AZURERM_MODULE from the Go module proxy (slow, once)..."
  mkdir -p "$CACHE/bin"
  GOBIN="$CACHE/bin" GOFLAGS="${GOFLAGS:--p=1}" go install "$AZURERM_MODULE" || echo "provider build failed"
fi
if ! command -v terraform >/dev/null; then
  skip "terraform validate: no terraform binary"
elif [[ ! -x "$AZURERM_PROVIDER_BIN" ]]; then
  skip "terraform validate: the azurerm provider cannot be downloaded here (registry.terraform.io unreachable) and no local build at $AZURERM_PROVIDER_BIN (IAC_BUILD_PROVIDER=1 builds one from the Go module proxy)"
else
  # Serve the local build as a filesystem mirror; everything else stays unreachable.
  MIRROR="$TMP/mirror/registry.terraform.io/hashicorp/azurerm/$AZURERM_VERSION/linux_amd64"
  mkdir -p "$MIRROR"
  ln -s "$AZURERM_PROVIDER_BIN" "$MIRROR/terraform-provider-azurerm_v$AZURERM_VERSION"
  cat >"$TF_CLI_CONFIG_FILE" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$TMP/mirror"
    include = ["registry.terraform.io/hashicorp/azurerm"]
  }
}
CFG
  # Validate a copy so .terraform/ and a lock file of the local build never land in the repo. A
  # committed lock file records the official release's hashes, which a build from source cannot
  # match, so the copy drops it.
  cp -r "$ROOT/infra" "$TMP/infra"
  rm -f "$TMP/infra/.terraform.lock.hcl"
  if (cd "$TMP/infra" && terraform init -backend=false -input=false -no-color >"$TMP/init.log" 2>&1 &&
    terraform validate -no-color); then
    pass "terraform validate infra/ (azurerm $AZURERM_VERSION built from source)"
  else
    cat "$TMP/init.log"
    fail "terraform validate infra/"
  fi
  : >"$TF_CLI_CONFIG_FILE"
fi
skip "terraform validate infra/github: the integrations/github provider is on neither the Terraform registry nor the Go module proxy here (fmt and checkov still cover it)"

# ---- 2b. the provider lock file
# It must carry the official release's checksums (zh:/h1: from registry.terraform.io), so only a
# machine that reaches the registry can write it:
#   terraform -chdir=infra providers lock -platform=linux_amd64 -platform=darwin_arm64 -platform=windows_amd64
# A lock file made from the local source build would record that build's h1: hash only, which no
# official package matches: every `terraform init` elsewhere would then refuse the provider.
step "provider lock file"
LOCK="$ROOT/infra/.terraform.lock.hcl"
if [[ -f "$LOCK" ]]; then
  if grep -q 'provider "registry.terraform.io/hashicorp/azurerm"' "$LOCK" &&
    grep -Eq '^\s*version\s*=\s*"5\.([2-9]|[1-9][0-9])\.[0-9]+"' "$LOCK" && grep -q '"zh:' "$LOCK"; then
    pass "infra/.terraform.lock.hcl pins azurerm 5.x (>= 5.2) with the registry's zh: checksums"
  else
    fail "infra/.terraform.lock.hcl: expected hashicorp/azurerm 5.x (>= 5.2) with zh: checksums from the registry"
  fi
else
  skip "no infra/.terraform.lock.hcl: the Terraform registry is unreachable here and a lock file from a source build would not match the official release; write it where the registry is reachable (see the command above)"
fi

# ---- 3. checkov
step "checkov $CHECKOV_VERSION"
CHECKOV="$(command -v checkov || true)"
if [[ -z "$CHECKOV" || "$("$CHECKOV" --version 2>/dev/null)" != "$CHECKOV_VERSION" ]]; then
  CHECKOV="$CACHE/checkov-venv/bin/checkov"
  if [[ ! -x "$CHECKOV" ]]; then
    echo "installing checkov==$CHECKOV_VERSION from PyPI into $CACHE/checkov-venv..."
    python3 -m venv "$CACHE/checkov-venv" && "$CACHE/checkov-venv/bin/pip" install -q "checkov==$CHECKOV_VERSION" || true
  fi
fi
if [[ -x "$CHECKOV" ]]; then
  # --skip-download / BC_SKIP_MAPPING: no calls to the vendor's API, offline policies only.
  for target in "infra terraform" "k8s kubernetes"; do
    set -- $target
    if BC_SKIP_MAPPING=TRUE "$CHECKOV" -d "$ROOT/$1" --framework "$2" --skip-download --compact --quiet; then
      pass "checkov $2 ($1/): no failed checks"
    else
      fail "checkov $2 ($1/)"
    fi
  done
else
  fail "checkov: could not install checkov==$CHECKOV_VERSION from PyPI"
fi

# ---- 4. manifest schema
step "k8s/ against the Kubernetes OpenAPI schema"
if [[ -x "$ROOT/node_modules/.bin/vitest" ]]; then
  # node_modules/.bin first, as under npm run: it holds the project's Node 22.
  if (cd "$ROOT" && PATH="$ROOT/node_modules/.bin:$PATH" vitest run test/iac); then
    pass "manifest schema + architecture tests (vitest test/iac)"
  else
    fail "manifest schema + architecture tests (vitest test/iac)"
  fi
else
  skip "manifest schema: node_modules missing, run 'npm ci' first (npm test runs the same test)"
fi

# ---- 5. a real API server, when there is one
step "kubectl apply --dry-run=server"
if [[ -n "${IAC_KUBECONFIG:-}" ]] && command -v kubectl >/dev/null; then
  # The namespace must exist for a namespaced dry run: create it for real (idempotent).
  if kubectl --kubeconfig "$IAC_KUBECONFIG" apply -f "$ROOT/k8s/bootstrap/namespace.yaml" &&
    kubectl --kubeconfig "$IAC_KUBECONFIG" apply --dry-run=server -R -f "$ROOT/k8s/bootstrap" -f "$ROOT/k8s/apps"; then
    pass "kubectl server-side dry run"
  else
    fail "kubectl server-side dry run"
  fi
else
  skip "kubectl dry run: set IAC_KUBECONFIG to a cluster's kubeconfig (e.g. the conformance tier's)"
fi

echo
echo "==== iac-check summary"
printf '  %s\n' "${RESULTS[@]}"
if [[ "${IAC_STRICT:-0}" == 1 && $SKIPPED == 1 ]]; then FAILED=1; fi
exit $FAILED
