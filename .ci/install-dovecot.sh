#!/bin/sh
# Install Dovecot's IMAP server for the test suite, which starts its own
# throw-away instances (tests/support/imap_server.py) from private config
# files. The system service is never used, so it is kept from starting.
# Idempotent; a no-op when /usr/sbin/dovecot exists. Debian/Ubuntu only.
set -eu

DOVECOT=/usr/sbin/dovecot
POLICY=/usr/sbin/policy-rc.d

if [ -x "$DOVECOT" ]; then
    echo "install-dovecot: already installed: $("$DOVECOT" --version)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

# The package's postinst starts the system service through invoke-rc.d or
# deb-systemd-invoke; both ask policy-rc.d first, and exit status 101 means
# "forbidden". Add one for the install unless the image already has one
# (Docker images usually do).
own_policy=""
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    own_policy=yes
fi
cleanup() {
    if [ -n "$own_policy" ]; then
        $SUDO rm -f "$POLICY"
    fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -qq update
$SUDO apt-get -qq install -y --no-install-recommends -o Dpkg::Use-Pty=0 \
    dovecot-imapd >/dev/null

# Belt and braces: should the service have started anyway (or start at the
# next boot of a long-lived runner), stop and disable it. It would be
# harmless -- test instances use their own ports, base_dir and
# instance_name -- but it has no business running.
if [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
elif command -v invoke-rc.d >/dev/null 2>&1; then
    $SUDO invoke-rc.d dovecot stop >/dev/null 2>&1 || true
fi

echo "install-dovecot: installed $("$DOVECOT" --version)"
