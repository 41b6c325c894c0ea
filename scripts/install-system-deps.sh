#!/usr/bin/env bash
# System packages the test suite needs: Chromium (print and drive quizzes), poppler-utils
# (read the printed PDF), Debian's socket2 crate (compile snippets without crates.io).
# Installs only what is missing; needs root (or sudo) and Debian/Ubuntu's apt-get.
set -euo pipefail
packages=(chromium poppler-utils librust-socket2-dev)
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-system-deps: please install: ${missing[*]}" >&2
  exit 1
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-system-deps: installed ${missing[*]}"
