#!/bin/sh
# Install Debian packages quietly, without recommends, with sudo when not root:
# `sh .ci/apt-install.sh PACKAGE...`. The install-*.sh scripts check first
# whether what they need is there; this only installs. Debian/Ubuntu only.
set -eu

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -qq update
$SUDO apt-get -qq install -y --no-install-recommends -o Dpkg::Use-Pty=0 "$@" >/dev/null
