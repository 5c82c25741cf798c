#!/usr/bin/env bash
# cosign (sigstore's signing tool) for the signature gate's tests: real signatures, made by the real tool,
# pushed into the ACR fake's registry. Built once from the Go module proxy at a pinned version and cached:
#   ${TAILSPIN_CACHE:-$HOME/.cache/tailspin}/cosign/<version>/cosign  (+ .version stamp)
# No prebuilt binary is downloaded; `go install` compiles the module's own source (GOTOOLCHAIN=local).
#
# Usage:  COSIGN_BIN=$(scripts/cosign.sh)      # stdout: the binary's path; logs on stderr
# Knobs:  COSIGN_VERSION (default below), COSIGN_NICE (default 10), GOFLAGS (e.g. -p=1).
# Cold cost (empty Go module and build caches, 2 shared cores): see README "CI cost".
set -euo pipefail

COSIGN_VERSION="${COSIGN_VERSION:-v2.6.5}"
NICE="${COSIGN_NICE:-10}"
CACHE="${TAILSPIN_CACHE:-$HOME/.cache/tailspin}/cosign"
DIR="$CACHE/$COSIGN_VERSION"
BIN="$DIR/cosign"
STAMP="$DIR/.version"

log() { printf '[cosign %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

current() { [[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$COSIGN_VERSION" ]]; }

if ! current; then
  command -v go >/dev/null || { log "go is not on PATH (needed once to build cosign $COSIGN_VERSION)"; exit 1; }
  mkdir -p "$DIR"
  exec 9>"$CACHE/.lock"
  flock 9
  if ! current; then
    t0=$SECONDS
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    log "building github.com/sigstore/cosign/v2/cmd/cosign@$COSIGN_VERSION from the Go module proxy (once)"
    # The module proxy only: never another toolchain, never a VCS checkout.
    GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$tmp" GOFLAGS="${GOFLAGS:-} -trimpath" \
      nice -n "$NICE" go install -ldflags "-s -w -X sigs.k8s.io/release-utils/version.gitVersion=$COSIGN_VERSION" \
      "github.com/sigstore/cosign/v2/cmd/cosign@$COSIGN_VERSION" >&2
    mv -f "$tmp/cosign" "$BIN.tmp.$$" && mv -f "$BIN.tmp.$$" "$BIN"
    printf '%s\n' "$COSIGN_VERSION" >"$STAMP"
    log "built in $((SECONDS - t0)) s: $BIN"
  fi
fi
echo "$BIN"
