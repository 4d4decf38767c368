#!/usr/bin/env bash
# Installs the Debian packages actlua needs, if any are missing: with apt-get
# when run as root, otherwise prints the exact command and fails.
set -euo pipefail
packages=(build-essential cmake pkg-config lua5.4 liblua5.4-dev libopenblas-dev
          libsleef-dev libcmocka-dev lua-busted lua-argparse libreadline-dev
          lua-term lua-system lua-filesystem gnuplot-nox)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "actlua: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "actlua: missing Debian packages: ${missing[*]}" >&2
  echo "run as root:  $cmd" >&2
  exit 1
fi
