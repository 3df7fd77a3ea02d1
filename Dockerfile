# supportbot: the service image. `docker build -t supportbot .`
#
# Configuration comes from the environment (SUPPORTBOT_<SECTION>_<NAME>, secrets
# included), or from a TOML file you mount, e.g. at /etc/supportbot/supportbot.toml,
# and name with SUPPORTBOT_CONFIG. State — the SQLite database when no
# PostgreSQL is configured, and the attachments — lives in the volume
# /var/lib/supportbot; back it up together with the database (README, "Running
# it in production"). Create or upgrade the schema first:
#   docker run --rm -e SUPPORTBOT_DATABASE_URL=… supportbot supportbot db upgrade
#
# The base is pinned by digest (the multi-architecture index of the tag), so a
# rebuild gets the same operating system and Python until someone moves the pin
# on purpose; the Python packages come from requirements.lock, exact versions
# with their hashes.
FROM python:3.11.15-slim-bookworm@sha256:b18992999dbe963a45a8a4da40ac2b1975be1a776d939d098c647482bcad5cba

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# The locked dependencies first, in their own layer: a change to the code does
# not download them again. --require-hashes: a package whose bytes differ from
# the lock's is refused.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
# Only what the package needs (.dockerignore keeps .venv, .git and tests out).
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY templates ./templates
# The project itself, resolving nothing: every dependency and the build back
# end are already installed from the lock. The built-in templates are package
# data, installed next to `bot`.
RUN pip install --no-deps --no-build-isolation . && pip check && rm -rf /src

# A fixed, unprivileged uid/gid, so volume permissions are predictable.
RUN groupadd --system --gid 10001 supportbot \
    && useradd --system --uid 10001 --gid supportbot --home-dir /var/lib/supportbot --shell /usr/sbin/nologin supportbot \
    && mkdir -p /var/lib/supportbot/attachments /etc/supportbot \
    && chown -R supportbot:supportbot /var/lib/supportbot

WORKDIR /var/lib/supportbot
VOLUME ["/var/lib/supportbot"]

# In a container the public listener (portal webhook, Slack's HTTP mode, the
# customers' close and survey pages) must listen beyond loopback. The operators'
# listener (/healthz, /metrics) stays on the container's loopback, where
# HEALTHCHECK runs; to let Prometheus scrape it, set SUPPORTBOT_OPS_HOST=0.0.0.0
# and publish 8081 only on a private network. Keep the ports in the environment
# (not only in the TOML file) so that HEALTHCHECK finds them.
ENV SUPPORTBOT_HTTP_HOST=0.0.0.0 \
    SUPPORTBOT_HTTP_PORT=8080 \
    SUPPORTBOT_OPS_HOST=127.0.0.1 \
    SUPPORTBOT_OPS_PORT=8081 \
    SUPPORTBOT_DATABASE_URL=sqlite:////var/lib/supportbot/supportbot.db \
    SUPPORTBOT_DESK_ATTACHMENTS_DIR=/var/lib/supportbot/attachments
EXPOSE 8080

USER supportbot

# /healthz (on the operators' listener) answers 200 when every enabled component
# is up, 503 otherwise (urlopen raises on 503, so the exit status is 1: unhealthy).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SUPPORTBOT_OPS_PORT', '8081'), timeout=4)"]

# SIGTERM (docker stop) stops it in stages within desk.shutdown_grace_s (20 s);
# give `docker stop` more than that: `docker stop -t 30`, or stop_grace_period
# in Compose.
STOPSIGNAL SIGTERM
CMD ["supportbot", "run"]
