#!/bin/sh
# Install Debian's Chromium for the browser test of the survey page
# (tests/web/test_survey_browser.py drives it over the DevTools
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

sh "$(dirname "$0")/apt-install.sh" chromium

echo "install-chromium: installed $(chromium --version 2>/dev/null || echo chromium)"
