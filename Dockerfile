# The ASEAN roundtable Discord bot. Operator's guide: docs/deployment.md.
#   docker build -t asean-bot .
#   docker run --rm -e DISCORD_TOKEN -v asean-bot-data:/data asean-bot          # the bot (default: run)
#   docker run --rm asean-bot ask "!ambassador Thailand"                        # one answer, no token
#   docker run --rm -it asean-bot console                                       # interactive, no token
# BASE_IMAGE is overridable so a check can build against a local base; both stages use the same one,
# so the venv's interpreter symlink resolves in the runtime stage.
ARG BASE_IMAGE=python:3.12-slim

# ---- build: a venv holding the project and its runtime dependencies only ----
FROM ${BASE_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/venv
# Dependencies first (read from pyproject.toml), so code-only changes reuse this layer.
COPY pyproject.toml ./
RUN /opt/venv/bin/python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
 && /opt/venv/bin/python -m pip install --no-cache-dir --requirement requirements.txt
# Then the project itself, non-editable (the pyproject.toml beside README.md* and LICENSE* lets the globs
# match nothing), with the knowledge base that the wheel ships inside the package.
COPY pyproject.toml README.md* LICENSE* ./
COPY bot/ bot/
COPY knowledge/ knowledge/
RUN /opt/venv/bin/python -m pip install --no-cache-dir --no-deps . \
 && /opt/venv/bin/python -m pip uninstall --yes pip setuptools

# ---- runtime: the base image, the venv, the knowledge base, a non-root user ----
FROM ${BASE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="asean-roundtable-bot" \
      org.opencontainers.image.description="Discord bot that answers questions about The Korea Times' June 2020 ASEAN envoys roundtable" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONSAFEPATH=1 \
    BOT_KNOWLEDGE_DIR=/app/knowledge \
    BOT_DB_PATH=/data/bot.sqlite3 \
    BOT_HEARTBEAT_FILE=/tmp/bot.heartbeat

RUN groupadd --gid 10001 bot \
 && useradd --no-log-init --uid 10001 --gid bot --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin bot \
 && mkdir /data \
 && chown bot:bot /data

COPY --from=build /opt/venv /opt/venv
# Root-owned, so the bot can read but not change its knowledge base; mount another at /app/knowledge to override.
COPY knowledge/ /app/knowledge/
COPY docker/healthcheck.py /app/healthcheck.py
# The built engine and the English word list, worked out once here instead of on every start (root-owned and
# readable by the bot; a knowledge base mounted over /app/knowledge is keyed apart and built when it starts).
ENV BOT_CACHE_DIR=/opt/cache
RUN /opt/venv/bin/python -m bot ask "who represented cambodia" > /dev/null \
 && chmod -R a+rX /opt/cache

# The SQLite state (daily-summary settings and post history). Relative paths resolve here too.
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001

# Fresh heartbeat while `run` is connected; otherwise (before the first beat, or for other commands)
# the knowledge base must load and validate. See docker/healthcheck.py.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["/opt/venv/bin/python", "/app/healthcheck.py"]

STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/venv/bin/python", "-m", "bot"]
CMD ["run"]
