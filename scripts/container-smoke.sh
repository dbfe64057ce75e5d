#!/usr/bin/env bash
# Builds the Docker image and proves it works: it builds, runs as a non-root user, answers questions
# (one-shot and console), validates its knowledge base (the baked one and the copy inside the installed
# package), can write its state volume, has a working healthcheck, and `run` without a token exits 2 with
# one clear line. With DOCKER, also end to end:
# `run` against the fake Discord server of tests/e2e answers a command, `stop` (SIGTERM) ends it cleanly
# with status 0 within the grace period, and its database is at /data/bot.sqlite3 on the volume
# (needs host networking and a Python with aiohttp, $PYTHON, default .venv/bin/python; SMOKE_E2E=0
# skips it).
#
# The builder comes from the environment:
#   CONTAINER_CHECK=path/to/container-check.sh scripts/container-smoke.sh
#       a script called as `$CONTAINER_CHECK CONTEXT -- ARGS...` that builds CONTEXT/Dockerfile and runs
#       the image with ARGS (extra `podman run` options in $RUN_ARGS); for machines without a daemon.
#   DOCKER=docker scripts/container-smoke.sh          (the default; DOCKER=podman works too)
#       `$DOCKER build` then `$DOCKER run`; IMAGE names the tag (default asean-bot:smoke) and
#       BASE_IMAGE, if set, is passed as the build argument of the same name.
# Prints one line per check; exits 1 if any check failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
CTX=$PWD
IMAGE=${IMAGE:-asean-bot:smoke}
LOG=$(mktemp -d "${TMPDIR:-/tmp}/container-smoke.XXXXXX")
NAME=asean-bot-smoke-$$
FAKE_PID=""
cleanup() {
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
  [ -n "${DOCKER:-}" ] && "$DOCKER" rm -f -v "$NAME" >/dev/null 2>&1
  rm -rf "$LOG"
}
trap cleanup EXIT
failures=0

if [ -n "${CONTAINER_CHECK:-}" ]; then
  builder="$CONTAINER_CHECK"
  build() { "$CONTAINER_CHECK" "$CTX"; }
  # The tool rebuilds (cached) before each run and prints the build log on stdout: callers look at the
  # last lines of the output, which are the container's.
  in_image() { RUN_ARGS="$*" "$CONTAINER_CHECK" "$CTX" -- "${ARGS[@]}"; }
else
  DOCKER=${DOCKER:-docker}
  builder="$DOCKER"
  build() { "$DOCKER" build ${BASE_IMAGE:+--build-arg "BASE_IMAGE=$BASE_IMAGE"} -t "$IMAGE" "$CTX"; }
  # shellcheck disable=SC2068  # the run options are meant to split into words
  in_image() { timeout 120 "$DOCKER" run --rm $@ "$IMAGE" "${ARGS[@]}"; }
fi

ok() { printf 'ok    %s\n' "$1"; }
fail() {
  printf 'FAIL  %s: %s\n' "$1" "$2"
  [ -s "$LOG/out" ] && tail -n 15 "$LOG/out" | sed 's/^/      | /'
  failures=$((failures + 1))
}
# run RUN_OPTIONS ARGS... : runs the image with ARGS, output in $LOG/out, exit code in $rc.
run() {
  local opts=$1
  shift
  ARGS=("$@")
  in_image "$opts" >"$LOG/out" 2>&1 </dev/null
  rc=$?
}

echo "container smoke test of $CTX with $builder"

if build >"$LOG/out" 2>&1; then
  ok "image builds"
else
  fail "image builds" "the build failed"
  exit 1
fi

run "--entrypoint id" -u
uid=$(tail -n 1 "$LOG/out" | tr -d '[:space:]')
if [ "$rc" -eq 0 ] && [[ "$uid" =~ ^[0-9]+$ ]] && [ "$uid" -ne 0 ]; then
  ok "id -u inside is $uid, not 0"
else
  fail "user is not root" "id -u gave '$uid' (exit $rc)"
fi

run "" ask '!ambassador Thailand'
if [ "$rc" -eq 0 ] && grep -q "Romane Kanaruk" "$LOG/out"; then
  ok "ask '!ambassador Thailand' answers Romane Kanaruk"
else
  fail "ask '!ambassador Thailand'" "exit $rc, or no 'Romane Kanaruk' in the answer"
fi

run "" ask '!country Vietnam'
if [ "$rc" -eq 0 ] && grep -q "Nguyen Vu Tu" "$LOG/out"; then
  ok "ask '!country Vietnam' answers with the envoy Nguyen Vu Tu"
else
  fail "ask '!country Vietnam'" "exit $rc, or no 'Nguyen Vu Tu' in the answer"
fi

ARGS=(console)
printf '!ambassador Thailand\n' | in_image "-i" >"$LOG/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q "Romane Kanaruk" "$LOG/out"; then
  ok "console answers a question read from stdin and exits 0 at end of input"
else
  fail "console" "exit $rc, or no 'Romane Kanaruk' in the answer"
fi

run "" check
if [ "$rc" -eq 0 ]; then
  ok "check validates the baked-in knowledge base: $(tail -n 1 "$LOG/out")"
else
  fail "check" "exit $rc"
fi

run "-e BOT_KNOWLEDGE_DIR=" check
if [ "$rc" -eq 0 ] && grep -q "/opt/venv/.*/bot/knowledge" "$LOG/out"; then
  ok "check with BOT_KNOWLEDGE_DIR unset validates the copy inside the package: $(tail -n 1 "$LOG/out")"
else
  fail "check of the packaged knowledge base" "exit $rc, or not the copy under /opt/venv"
fi

run "" run
last=$(tail -n 1 "$LOG/out")
if [ "$rc" -eq 2 ] && grep -q "DISCORD_TOKEN" <<<"$last" && ! grep -q "Traceback" "$LOG/out"; then
  ok "run without a token exits 2: $last"
else
  fail "run without a token" "expected exit 2 and one line naming DISCORD_TOKEN, got exit $rc"
fi

run "--entrypoint /opt/venv/bin/python" -c \
  "import sqlite3; c = sqlite3.connect('/data/smoke.sqlite3'); c.execute('pragma journal_mode=wal'); \
c.execute('create table t(x)'); c.commit(); c.close(); import os; os.remove('/data/smoke.sqlite3'); print('ok')"
if [ "$rc" -eq 0 ]; then
  ok "the non-root user can create a WAL-mode SQLite database in /data"
else
  fail "state volume" "exit $rc"
fi

run "--entrypoint /opt/venv/bin/python" /app/healthcheck.py
if [ "$rc" -eq 0 ]; then
  ok "healthcheck passes with no heartbeat yet (knowledge base validates)"
else
  fail "healthcheck" "exit $rc"
fi

run "--entrypoint /opt/venv/bin/python" -c \
  "import os, runpy; open('/tmp/hb', 'w').close(); os.utime('/tmp/hb', (0, 0)); \
os.environ['BOT_HEARTBEAT_FILE'] = '/tmp/hb'; runpy.run_path('/app/healthcheck.py', run_name='__main__')"
if [ "$rc" -eq 1 ] && grep -q "unhealthy: heartbeat" "$LOG/out"; then
  ok "healthcheck fails on a stale heartbeat: $(tail -n 1 "$LOG/out")"
else
  fail "stale heartbeat" "expected exit 1 and 'unhealthy: heartbeat', got exit $rc"
fi

# End to end over discord.py's real network code, then SIGTERM as `docker stop` sends it.
e2e() {
  local py=${PYTHON:-.venv/bin/python} port base gw reply started stopped code
  if [ -z "${DOCKER:-}" ] || [ "${SMOKE_E2E:-1}" = 0 ]; then
    echo "skip  run against a fake Discord and stop with SIGTERM (needs DOCKER=docker|podman, SMOKE_E2E!=0)"
    return
  fi
  if ! "$py" -c "import aiohttp" 2>/dev/null; then
    echo "skip  run against a fake Discord and stop with SIGTERM ($py has no aiohttp: install '.[test]')"
    return
  fi
  port=$("$py" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  base=http://127.0.0.1:$port/api/v10
  gw=ws://127.0.0.1:$port/gateway/
  "$py" -m tests.e2e.fake_discord --port "$port" >"$LOG/fake" 2>&1 &
  FAKE_PID=$!
  for _ in $(seq 50); do grep -q DISCORD_API_BASE "$LOG/fake" && break; sleep 0.1; done
  "$DOCKER" run -d --name "$NAME" --network host -e DISCORD_TOKEN=smoke.test.token \
    -e DISCORD_API_BASE="$base" -e DISCORD_GATEWAY_URL="$gw" "$IMAGE" run >"$LOG/out" 2>&1
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/_fake/requests" | grep -q '"ready": true' && break
    sleep 0.1
  done
  reply=$(curl -fs -X POST -d '{"content": "!ambassador Thailand"}' "http://127.0.0.1:$port/_fake/message")
  "$DOCKER" logs "$NAME" >"$LOG/out" 2>&1
  if grep -q "Romane Kanaruk" <<<"$reply"; then
    ok "run (token from the environment) connects to a fake Discord and answers '!ambassador Thailand'"
  else
    fail "run against a fake Discord" "no answer naming Romane Kanaruk"
  fi
  started=$(date +%s)
  "$DOCKER" stop -t 10 "$NAME" >/dev/null 2>&1
  stopped=$(date +%s)
  code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$NAME" 2>/dev/null)
  "$DOCKER" logs "$NAME" >"$LOG/out" 2>&1
  if [ "$code" = 0 ] && [ $((stopped - started)) -lt 10 ] && grep -q "SIGTERM received" "$LOG/out"; then
    ok "stop sends SIGTERM to PID 1: closed cleanly in $((stopped - started))s, exit 0"
  else
    fail "stop (SIGTERM)" "exit ${code:-?} after $((stopped - started))s (grace period 10s)"
  fi
  db=$("$DOCKER" run --rm --volumes-from "$NAME" --entrypoint find "$IMAGE" /data -name '*.sqlite3' 2>&1)
  if [ "$db" = /data/bot.sqlite3 ]; then
    ok "run keeps its SQLite state on the volume: $db"
  else
    fail "state on the volume" "expected /data/bot.sqlite3 (BOT_DB_PATH), found: ${db:-nothing}"
  fi
}
e2e

if [ "$failures" -gt 0 ]; then
  echo "container smoke test: $failures check(s) failed"
  exit 1
fi
echo "container smoke test: all checks passed"
