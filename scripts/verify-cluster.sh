#!/usr/bin/env bash
# After an apply: the cluster is usable for the deployer. Needs a kubeconfig for it (KUBECONFIG) with
# read access to nodes, namespaces and RBAC objects (the pipeline's "cluster verify" role).
#   scripts/verify-cluster.sh [namespace] [node-ready-timeout]
# Checks, each with its own line and a deadline (never an unbounded wait):
#   1. every node Ready          2. the app namespace exists
#   3. the deployer's ServiceAccount, Role and RoleBinding (k8s/bootstrap/deployer-rbac.yaml) exist
set -euo pipefail
NS="${1:-tail-spin}"
TIMEOUT="${2:-300s}"
fail=0
check() { # check <what> <command...>
  local what="$1"; shift
  if "$@" >/dev/null; then echo "ok: $what"; else echo "FAILED: $what" >&2; fail=1; fi
}
check "nodes exist" kubectl get nodes -o name
check "every node Ready within $TIMEOUT" kubectl wait --for=condition=Ready nodes --all --timeout="$TIMEOUT"
check "namespace $NS" kubectl get namespace "$NS"
for kind in serviceaccount role rolebinding; do
  check "$kind/tailspin-deployer in $NS" kubectl -n "$NS" get "$kind" tailspin-deployer
done
if ((fail)); then
  echo "The cluster is not ready for the deployer. A missing namespace or RBAC object: apply k8s/bootstrap once (docs/azure-deployment.md, step 5)." >&2
fi
exit "$fail"
