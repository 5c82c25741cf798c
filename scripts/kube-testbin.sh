#!/usr/bin/env bash
# Build (once) and cache a real Kubernetes control plane for the cluster adapter's contract tests:
# kube-apiserver, kube-controller-manager, kube-scheduler (a pinned Kubernetes release), the etcd that
# release's go.mod uses, and kwok (fake nodes/pods). Everything is compiled from source fetched through
# the Go module proxy; no prebuilt binaries, no Docker.
#
# Usage:  BIN_DIR=$(scripts/kube-testbin.sh)      # stdout: the cache dir holding the binaries; logs on stderr
#
# Cache:  ${TAILSPIN_CACHE:-$HOME/.cache/tailspin}/kube-testbin/<k8s version>/{kube-apiserver,...,etcd,kwok}
#         Each binary has a .<name>.version stamp; only missing/mismatched binaries are rebuilt.
#         Wrapper modules live under .../kube-testbin/src/ (outside the repository).
#
# Knobs:  KUBE_TESTBIN_K8S_VERSION (default below), KUBE_TESTBIN_ETCD_VERSION (default: from k8s go.mod),
#         KUBE_TESTBIN_KWOK_VERSION, KUBE_TESTBIN_NICE (default 10), GOFLAGS (e.g. -p=1 to use one core).
set -euo pipefail

K8S_VERSION="${KUBE_TESTBIN_K8S_VERSION:-v1.34.4}"
KWOK_VERSION="${KUBE_TESTBIN_KWOK_VERSION:-v0.7.0}"
NICE="${KUBE_TESTBIN_NICE:-10}"
CACHE_ROOT="${TAILSPIN_CACHE:-$HOME/.cache/tailspin}/kube-testbin"
BIN_DIR="$CACHE_ROOT/$K8S_VERSION"
SRC_ROOT="$CACHE_ROOT/src"
TEMPLATES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/kube-testbin"

log() { printf '[kube-testbin %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ "$K8S_VERSION" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "KUBE_TESTBIN_K8S_VERSION must look like v1.34.4 (got $K8S_VERSION)"
K8S_MINOR="${BASH_REMATCH[1]}"
K8S_PATCH="${BASH_REMATCH[2]}"
STAGING_VERSION="v0.${K8S_MINOR}.${K8S_PATCH}"

# Never let go fetch another toolchain, never touch a VCS directly: the module proxy only.
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:-} -mod=mod -trimpath"
export CGO_ENABLED=0

# is_current NAME VERSION -> 0 when the cached binary exists and was built for VERSION.
is_current() {
  [[ -x "$BIN_DIR/$1" && -f "$BIN_DIR/.$1.version" && "$(cat "$BIN_DIR/.$1.version")" == "$2" ]]
}

# Fast path: everything cached -> no go, no network, no lock.
if [[ -f "$BIN_DIR/versions.env" ]]; then
  cached_etcd="$(sed -n 's/^ETCD_VERSION=//p' "$BIN_DIR/versions.env")"
  if is_current kube-apiserver "$K8S_VERSION" && is_current kube-controller-manager "$K8S_VERSION" &&
    is_current kube-scheduler "$K8S_VERSION" && is_current kwok "$KWOK_VERSION" &&
    [[ -n "$cached_etcd" ]] && is_current etcd "${KUBE_TESTBIN_ETCD_VERSION:-$cached_etcd}"; then
    log "all binaries cached in $BIN_DIR (kubernetes $K8S_VERSION, etcd ${KUBE_TESTBIN_ETCD_VERSION:-$cached_etcd}, kwok $KWOK_VERSION)"
    echo "$BIN_DIR"
    exit 0
  fi
fi

command -v go >/dev/null || die "go is not on PATH (needed to build the missing binaries)"
mkdir -p "$BIN_DIR" "$SRC_ROOT"
# One builder at a time per cache (CI retries, two shells...).
exec 9>"$CACHE_ROOT/.lock"
flock 9

stamp() { printf '%s\n' "$2" >"$BIN_DIR/.$1.version"; }
# install_bin NAME FILE: atomic move so an interrupted build never leaves a half-written binary in the cache.
install_bin() { mv -f "$2" "$BIN_DIR/$1.tmp.$$" && mv -f "$BIN_DIR/$1.tmp.$$" "$BIN_DIR/$1"; }

gomod_of() { # gomod_of MODULE@VERSION -> path of its go.mod in the module cache
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p'
}

started=$SECONDS
log "cache: $BIN_DIR (kubernetes $K8S_VERSION, kwok $KWOK_VERSION, $(go version | cut -d' ' -f3))"

K8S_GOMOD="$(gomod_of "k8s.io/kubernetes@$K8S_VERSION")"
[[ -f "$K8S_GOMOD" ]] || die "could not download k8s.io/kubernetes@$K8S_VERSION from the module proxy"
ETCD_VERSION="${KUBE_TESTBIN_ETCD_VERSION:-$(awk '$1=="go.etcd.io/etcd/server/v3"{print $2; exit}' "$K8S_GOMOD")}"
[[ -n "$ETCD_VERSION" ]] || die "no go.etcd.io/etcd/server/v3 requirement in k8s.io/kubernetes@$K8S_VERSION go.mod"

# ---------------------------------------------------------------------------------------------- kubernetes
K8S_BINS=(kube-apiserver kube-controller-manager kube-scheduler)
need_k8s=()
for b in "${K8S_BINS[@]}"; do is_current "$b" "$K8S_VERSION" || need_k8s+=("$b"); done
if ((${#need_k8s[@]})); then
  t0=$SECONDS
  W="$SRC_ROOT/kubernetes-$K8S_VERSION"
  log "building ${need_k8s[*]} $K8S_VERSION in wrapper module $W"
  rm -rf "$W" && mkdir -p "$W"
  cp -R "$TEMPLATES/k8s/cmd" "$W/cmd"
  # The k8s.io/kubernetes go.mod requires its staging repos at v0.0.0 and replaces them with ./staging
  # paths, which a dependent module cannot see. Replace each with its published v0.<minor>.<patch>.
  staging=$(awk '/^require \(/{r=1;next} r&&/^\)/{r=0} r&&$1~/^k8s\.io\// && $2=="v0.0.0"{print $1}' "$K8S_GOMOD")
  [[ -n "$staging" ]] || die "found no k8s.io/* v0.0.0 requirements in $K8S_GOMOD"
  godebug=$(awk '$1=="godebug"' "$K8S_GOMOD")
  {
    echo "module tailspin.dev/kube-testbin/kubernetes"
    echo
    echo "go $(awk '$1=="go"{print $2; exit}' "$K8S_GOMOD")"
    [[ -n "$godebug" ]] && printf '\n%s\n' "$godebug"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    for m in $staging; do echo "	$m => $m $STAGING_VERSION"; done
    echo ")"
  } >"$W/go.mod"
  log "replacing $(wc -w <<<"$staging") staging modules with $STAGING_VERSION"
  (cd "$W" && go mod tidy) >&2 || die "go mod tidy failed for kubernetes $K8S_VERSION (see above)"
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$K8S_MINOR"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  done
  out="$W/bin" && mkdir -p "$out"
  pkgs=(); for b in "${need_k8s[@]}"; do pkgs+=("./cmd/$b"); done
  # One go build for all three so shared packages compile once.
  (cd "$W" && nice -n "$NICE" go build -ldflags "$ldflags" -o "$out/" "${pkgs[@]}") >&2 \
    || die "go build of ${need_k8s[*]} $K8S_VERSION failed (see above)"
  for b in "${need_k8s[@]}"; do install_bin "$b" "$out/$b"; stamp "$b" "$K8S_VERSION"; done
  log "kubernetes binaries built in $((SECONDS - t0))s"
else
  log "kube-apiserver, kube-controller-manager, kube-scheduler $K8S_VERSION: cached"
fi

# ---------------------------------------------------------------------------------------------------- etcd
if ! is_current etcd "$ETCD_VERSION"; then
  t0=$SECONDS
  W="$SRC_ROOT/etcd-$ETCD_VERSION"
  log "building etcd $ETCD_VERSION in wrapper module $W"
  rm -rf "$W" && mkdir -p "$W"
  cp -R "$TEMPLATES/etcd/cmd" "$W/cmd"
  ETCD_GOMOD="$(gomod_of "go.etcd.io/etcd/server/v3@$ETCD_VERSION")"
  {
    echo "module tailspin.dev/kube-testbin/etcd"
    echo
    echo "go $(awk '$1=="go"{print $2; exit}' "$ETCD_GOMOD")"
    echo
    echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  } >"$W/go.mod"
  (cd "$W" && go mod tidy) >&2 || die "go mod tidy failed for etcd $ETCD_VERSION (see above)"
  (cd "$W" && nice -n "$NICE" go build -ldflags "-s -w" -o "$W/etcd" ./cmd/etcd) >&2 \
    || die "go build of etcd $ETCD_VERSION failed (see above)"
  install_bin etcd "$W/etcd"
  stamp etcd "$ETCD_VERSION"
  log "etcd built in $((SECONDS - t0))s"
else
  log "etcd $ETCD_VERSION: cached"
fi

# ---------------------------------------------------------------------------------------------------- kwok
if ! is_current kwok "$KWOK_VERSION"; then
  t0=$SECONDS
  gobin="$SRC_ROOT/kwok-$KWOK_VERSION/bin"
  rm -rf "$gobin" && mkdir -p "$gobin"
  log "building kwok $KWOK_VERSION (go install sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION)"
  GOBIN="$gobin" nice -n "$NICE" go install -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >&2 || die "go install of kwok $KWOK_VERSION failed (see above)"
  install_bin kwok "$gobin/kwok"
  stamp kwok "$KWOK_VERSION"
  log "kwok built in $((SECONDS - t0))s"
else
  log "kwok $KWOK_VERSION: cached"
fi

cat >"$BIN_DIR/versions.env" <<EOF
KUBERNETES_VERSION=$K8S_VERSION
ETCD_VERSION=$ETCD_VERSION
KWOK_VERSION=$KWOK_VERSION
EOF
log "done in $((SECONDS - started))s"
echo "$BIN_DIR"
