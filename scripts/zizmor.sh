#!/usr/bin/env bash
# zizmor (security audits of GitHub Actions workflows: unpinned actions, excessive permissions,
# template injection from event fields, credential persistence, dangerous triggers...) on
# .github/workflows, from PyPI at a pinned version in a venv beside checkov:
#   ${TAILSPIN_CACHE:-$HOME/.cache/tailspin}/zizmor-venv
# --offline: no GitHub API calls (the audits that need them - impostor commits, known-vulnerable
# actions by advisory - are skipped); every other audit runs at the pedantic persona, and any
# finding fails.
#
# Usage:  scripts/zizmor.sh [zizmor args...]   (default: .github/workflows with the repo's zizmor.yml)
set -euo pipefail

ZIZMOR_VERSION="${ZIZMOR_VERSION:-1.33.1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${TAILSPIN_CACHE:-$HOME/.cache/tailspin}"
VENV="$CACHE/zizmor-venv"
BIN="$VENV/bin/zizmor"

log() { printf '[zizmor] %s\n' "$*" >&2; }

if [[ ! -x "$BIN" || "$("$BIN" --version 2>/dev/null | awk '{print $2}')" != "$ZIZMOR_VERSION" ]]; then
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.zizmor.lock"
  flock 9
  if [[ ! -x "$BIN" || "$("$BIN" --version 2>/dev/null | awk '{print $2}')" != "$ZIZMOR_VERSION" ]]; then
    t0=$SECONDS
    log "installing zizmor==$ZIZMOR_VERSION from PyPI into $VENV (once)"
    python3 -m venv "$VENV" >&2
    # --only-binary: the wheel ships the compiled tool; never fall back to a Rust build from source.
    "$VENV/bin/pip" install -q --disable-pip-version-check --only-binary=:all: "zizmor==$ZIZMOR_VERSION" >&2
    log "installed in $((SECONDS - t0)) s: $BIN"
  fi
fi

cd "$ROOT"
if (($# == 0)); then
  # pedantic: also comments on permissions and concurrency limits; the workflows meet it.
  set -- --offline --persona pedantic --no-progress --format plain --config .github/zizmor.yml .github/workflows
fi
exec "$BIN" "$@"
