"""A throwaway PostgreSQL server for the tests: `initdb` into a temporary folder, `pg_ctl start` on a Unix socket there.

The binaries come from `$PATH` or Debian's `/usr/lib/postgresql/<version>/bin`. PostgreSQL refuses to run as
root, so as root the server runs as the `postgres` user (Debian's package creates it), else as `nobody`.
It listens on no TCP port, only on its socket, trusts local connections and skips fsync: it holds test data only.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from bot.daily.backend import open_store

T = TypeVar("T")

SUPERUSER = "postgres"


def find_bin_dir() -> Path | None:
    """The folder holding `initdb` and `pg_ctl`, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name or 0))
    return Path(dirs[-1]) if dirs and Path(dirs[-1], "initdb").exists() else None


def run_user() -> str | None:
    """The user to run the server as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists to run PostgreSQL")


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a fresh event loop in another thread (safe from any test)."""
    result: list[Any] = []

    def target() -> None:
        try:
            result.append((True, asyncio.run(coro)))
        except BaseException as exc:  # handed back to the caller
            result.append((False, exc))

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    ok, value = result[0]
    if not ok:
        raise value
    return value


class PgServer:
    """One server for a test session: `url(db)`, `create_database(db)`, `execute(db, sql)`, then `stop()`."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.user = run_user()
        self.root = Path(tempfile.mkdtemp(prefix="pgtest-"))  # short: a socket path has at most 107 bytes
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._databases: set[str] = set()

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:1])} failed ({done.returncode}): {done.stderr.strip()}\n{log}")

    def start(self) -> PgServer:
        """initdb and start; raises RuntimeError with the server's log if it cannot."""
        if self.user is not None:
            shutil.chown(self.root, self.user)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "--no-sync", "-E", "UTF8",
                  "--locale=C")
        options = f"-k {self.root} -c listen_addresses='' -c fsync=off -c full_page_writes=off -c max_connections=100"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        """A URL over the Unix socket."""
        return f"postgresql://{user}@/{database}?host={self.root}&port=5432"

    def execute(self, database: str, sql: str) -> None:
        """Run SQL on one database (from any thread or test)."""

        async def go() -> None:
            conn = await asyncpg.connect(self.url(database))
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        run_async(go())

    def create_database(self, name: str) -> str:
        """A new empty database (dropped first if a previous test made it); returns its URL."""
        self.execute("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.execute("postgres", f'CREATE DATABASE "{name}"')
        self._databases.add(name)
        return self.url(name)


@contextlib.contextmanager
def pg_server() -> Iterator[PgServer | str]:
    """A started server, or the reason there is none (no binaries)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        yield "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql"
        return
    server = PgServer(bin_dir).start()
    try:
        yield server
    finally:
        server.stop()


class BlockingStore:
    """A `Store` used synchronously, as tests use `DailyStore`: it runs on an event loop of its own, in a thread.

    `BlockingStore.open(target)` opens the store there; every method call blocks until its result is back.
    """

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="blocking-store", daemon=True)
        self._thread.start()
        self._store: Any = None

    @classmethod
    def open(cls, target: str | Path, **options: Any) -> BlockingStore:
        blocking = cls()
        try:
            blocking._store = blocking._call(open_store(target, **options))
        except BaseException:
            blocking._stop()
            raise
        return blocking

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=60)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr
        return lambda *args, **kw: self._call(attr(*args, **kw))

    def _stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def close(self) -> None:
        """Close the store, then end its thread."""
        if self._store is not None:
            self._call(self._store.close())
            self._store = None
        self._stop()
