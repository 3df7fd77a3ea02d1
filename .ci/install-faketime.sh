#!/bin/sh
# Install Debian's libfaketime for the tests that run `supportbot run` with its
# wall clock set from outside (tests/jobs/test_sla_restarts.py: the SLA
# monitor stopped and started again across a warning or breach minute).
# Idempotent and quiet; a no-op when the library is present.
# Debian/Ubuntu only. Call from .ci/run before `make test`.
set -eu

for lib in /usr/lib/*/faketime/libfaketime.so.1 /usr/local/lib/faketime/libfaketime.so.1; do
    if [ -e "$lib" ]; then
        echo "install-faketime: already installed: $lib"
        exit 0
    fi
done

sh "$(dirname "$0")/apt-install.sh" libfaketime

echo "install-faketime: installed $(ls /usr/lib/*/faketime/libfaketime.so.1)"
