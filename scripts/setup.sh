#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for skillscore, and nothing when
# all is present (it checks before it touches apt). Idempotent; safe to rerun.
#
#   Go ≥ 1.26          the toolchain (must already be installed)
#   chromium           headless browser for the page tests (chromedp)
#   poppler-utils      pdftotext / pdftoppm, to read generated PDFs back
#   zbar-tools         zbarimg, to decode QR codes on rendered certificates
#   fonts-arphic-*     the CJK TrueType fonts (Song, Kai) certificates embed
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

if ! have_cmd go; then
  echo "setup: Go is not installed; install Go 1.26 or newer first (https://go.dev/doc/install)" >&2
  exit 1
fi

# The demo issues certificates, so it needs the CJK fonts; the tests also
# drive Chromium and read PDFs and QR codes back.
want_pkgs=(fonts-arphic-gbsn00lp fonts-arphic-gkai00mp)
if [ "${SKILLSCORE_SETUP_MINIMAL:-}" != "1" ]; then
  want_pkgs+=(chromium poppler-utils zbar-tools)
fi
for p in "${want_pkgs[@]}"; do
  have_pkg "$p" || need+=("$p")
done

if [ ${#need[@]} -gt 0 ]; then
  if ! have_cmd apt-get; then
    echo "setup: missing packages ${need[*]}, and this is not a Debian-like system: install them by hand" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if have_cmd sudo; then SUDO="sudo"; else
      echo "setup: need root to install ${need[*]}" >&2; exit 1
    fi
  fi
  echo "setup: installing ${need[*]} ..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Fetch Go modules once, so a first test run does not look stuck.
go mod download
