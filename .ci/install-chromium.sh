#!/bin/sh
# Install Debian's Chromium for the browser test of the survey page
# (tests/lifecycle/test_survey_browser.py drives it over the DevTools
# protocol; nothing is downloaded besides the distribution package).
# Idempotent and quiet; a no-op when a chromium binary is on PATH.
# Debian/Ubuntu only. Call from .ci/run before `make test`.
set -eu

for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null 2>&1; then
        echo "install-chromium: already installed: $("$name" --version 2>/dev/null || echo "$name")"
        exit 0
    fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -qq update
$SUDO apt-get -qq install -y --no-install-recommends -o Dpkg::Use-Pty=0 chromium >/dev/null

echo "install-chromium: installed $(chromium --version 2>/dev/null || echo chromium)"
