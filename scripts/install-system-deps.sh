#!/usr/bin/env bash
# Installs the Debian packages admon needs at run time, only those that are missing.
# Quick when nothing is missing (one dpkg query). As non-root it prints the exact command.
set -euo pipefail

PACKAGES=(tesseract-ocr tesseract-ocr-chi-sim chromium fonts-noto-cjk)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "admon: missing system packages (${missing[*]}) and no apt-get here; install them with your package manager." >&2
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "admon: missing system packages: ${missing[*]}" >&2
    echo "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "admon: installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
