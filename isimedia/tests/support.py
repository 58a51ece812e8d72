"""Helpers for tests that run real parts: free ports, a private Redis server, repointing the Celery broker, a private
PostgreSQL server."""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

import kombu.pools
import pytest
import redis

from isimedia.celery import app as celery_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def celery_broker(url: str):
    """Point the Celery app at another broker for the duration of the block."""
    previous = celery_app.conf.broker_url

    def repoint(to):
        celery_app.conf.broker_url = to
        # The app caches its connection and producer pools; drop them so the next publish uses the new URL. They
        # live in kombu's registries, keyed by broker URL: a pool closed but left there would make every later
        # publish to its URL fail ("Acquire on closed pool"), so the registries are emptied too.
        kombu.pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    repoint(url)
    try:
        yield
    finally:
        repoint(previous)


class RedisServer:
    """A Redis server of the test's own, so it can really be stopped and started again."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="isimedia-redis-")
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed; the fault tests need it (Debian package redis-server).")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail("the test's own redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _postgres_binary(name: str) -> str:
    """A PostgreSQL server program; Debian keeps them outside PATH, under /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        pytest.fail(f"{name} is not installed; the fault tests need the PostgreSQL server (Debian package postgresql).")
    return found


class PostgresServer:
    """A PostgreSQL cluster of the test's own, in a temporary directory on a free port, so a test can really stop and
    start it while the portal runs. The shared server the suite uses is never touched.

    PostgreSQL refuses to run as root: when the tests run as root, the cluster belongs to the ``postgres`` user.
    """

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="isimedia-postgres-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.running = False

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, name: str, *args: str) -> None:
        command = [_postgres_binary(name), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if result.returncode != 0:
            pytest.fail(f"{name} failed: {result.stdout}{result.stderr}")

    def init(self) -> None:
        # Trust on 127.0.0.1 only, no fsync: a throw-away cluster for one test.
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "30", "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "30", "stop")
        self.running = False

    def remove(self) -> None:
        if self.running:
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
