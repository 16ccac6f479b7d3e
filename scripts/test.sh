#!/usr/bin/env bash
# The test suite on a fresh machine: installs what the tests need that cargo
# does not bring (git for the git-daemon test, Debian's chromium for the
# HTML page test, PyPI's kubernetes-validate for the deploy/ manifests), then
# runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v git >/dev/null 2>&1 || need+=(git)
if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
  need+=(chromium)
fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if ! python3 -c "import kubernetes_validate" >/dev/null 2>&1; then
  user=""
  [ "$(id -u)" -eq 0 ] || user="--user"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore $user kubernetes-validate==1.37.0
fi
cargo test --workspace "$@"
