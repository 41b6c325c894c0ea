#!/usr/bin/env bash
# System packages cardgen needs, installed with apt-get only when missing (needs root or sudo).
#   --build  what `cardgen build` needs for its snippet checks: bubblewrap (the sandbox
#            every snippet runs in), net-tools and iproute2 (netstat, ss), Debian's socket2
#            crate (cargo works without crates.io), and Rust itself if this machine has no
#            rustc/cargo.
#   (none)   that, plus what the test suite needs: Chromium (print and drive the quizzes),
#            poppler-utils (read the printed PDF) and python3 (the system's, which the
#            sandbox tests run as an unprivileged user).
set -euo pipefail
packages=(bubblewrap net-tools iproute2 librust-socket2-dev)
command -v cargo >/dev/null && command -v rustc >/dev/null || packages+=(rustc cargo)
if [[ "${1:-}" != "--build" ]]; then
  packages+=(chromium poppler-utils python3)
fi
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
