"""Faults of the parts the portal runs on, caused for real: a Celery worker killed in the middle of sending an e-mail,
two outbox sweeps at the same moment, PostgreSQL restarted under a running portal.

The workers and the portal run as separate processes (``celery -A isimedia worker``, gunicorn), with the settings in
``isimedia/tests/fault_settings.py``, so a test can kill them as an operating system or an orchestrator would.
"""

import asyncio
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from isimedia import outbox
from isimedia.celery import app as celery_app
from isimedia.models import OutboxMessage
from isimedia.tasks import outbox_sweep_task as sweep_task
from isimedia.tests.support import PostgresServer, celery_broker, free_port

BASE_DIR = Path(django_settings.BASE_DIR)


def wait_until(predicate, timeout=20.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def status_of(message):
    return OutboxMessage.objects.values_list("status", flat=True).get(pk=message.pk)


def database_url() -> str:
    """The URL of the test database, for the portal processes a test starts."""
    config = connection.settings_dict
    user = quote(config["USER"] or "postgres", safe="")
    password = f":{quote(config['PASSWORD'], safe='')}" if config["PASSWORD"] else ""
    return f"postgres://{user}{password}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{config['NAME']}"


# --- a slow SMTP server ----------------------------------------------------------------------------------------


class StallingHandler:
    """Keeps the first sender waiting at RCPT TO, as a mail server with a slow recipient check does; accepts every
    message after that and records it."""

    def __init__(self):
        self.messages = []
        self.stalled = threading.Event()
        self.released = False
        self._stall_next = True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self._stall_next:
            self._stall_next = False
            self.stalled.set()
            deadline = time.monotonic() + 60
            while not self.released and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 Message accepted for delivery"


@pytest.fixture
def stalling_smtp():
    handler = StallingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        handler.released = True
        controller.stop()


# --- a worker in a process of its own --------------------------------------------------------------------------


class WorkerProcess:
    """``celery -A isimedia worker`` as the Procfile runs it, against the test's database, broker and SMTP server."""

    def __init__(self, *, broker_url: str, smtp_port: int, pool: str, log: Path, visibility_timeout: int = 3):
        self.command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "isimedia",
            "worker",
            "--pool",
            pool,
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"fault-{uuid.uuid4().hex[:8]}@%h",
        ]
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "isimedia.tests.fault_settings",
            "DATABASE_URL": database_url(),
            "TEST_REDIS_URL": broker_url,
            "FAULT_SMTP_PORT": str(smtp_port),
            "FAULT_VISIBILITY_TIMEOUT": str(visibility_timeout),
        }
        self.log = log
        self.process = None

    def start(self) -> "WorkerProcess":
        with self.log.open("ab") as log:
            # A session of its own, so a kill reaches the pool's children too, as when the machine or container dies.
            self.process = subprocess.Popen(
                self.command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        # The test is over: no need for a graceful (and slow) shutdown.
        if self.process is not None and self.process.poll() is None:
            self.kill()


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(**kwargs):
        worker = WorkerProcess(log=tmp_path / "worker.log", **kwargs).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def broker(redis_server):
    """A Redis server of the test's own as the broker, for this process and the workers it starts."""
    redis_server.start()
    with celery_broker(redis_server.url):
        yield redis_server.url


def queue_one_message() -> OutboxMessage:
    with transaction.atomic():
        return outbox.email_queue(template="test_message", to="jan@example.nl", language="nl")


# --- a worker killed in the middle of a task -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_sending_is_replaced_and_the_email_goes_out_once(
    broker, stalling_smtp, workers, tmp_path
):
    handler, smtp_port = stalling_smtp
    first = workers(broker_url=broker, smtp_port=smtp_port, pool="solo")
    message = queue_one_message()

    # The worker has taken the task and is talking to the mail server when it is killed (SIGKILL: no clean-up).
    assert handler.stalled.wait(timeout=30), (tmp_path / "worker.log").read_text()
    first.kill()
    assert status_of(message) == OutboxMessage.Status.PENDING
    assert handler.messages == []

    # A new worker gets the task the dead one never acknowledged, and the e-mail goes out.
    workers(broker_url=broker, smtp_port=smtp_port, pool="solo")
    assert wait_until(lambda: status_of(message) == OutboxMessage.Status.SENT), (tmp_path / "worker.log").read_text()

    # Once: the sweep and another delivery of the task find nothing left to send.
    assert outbox.outbox_send(message_id=message.pk) is False
    assert outbox.outbox_sweep() == 0
    time.sleep(1)
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (1, "")
    assert len(handler.messages) == 1
    assert f"Message-ID: {message.message_id}" in handler.messages[0]


@pytest.mark.django_db(transaction=True)
def test_with_the_production_broker_timeout_the_sweep_sends_what_a_killed_worker_left_once(
    broker, stalling_smtp, workers, tmp_path
):
    handler, smtp_port = stalling_smtp
    # The broker would hand the task out again only after an hour, as in production.
    first = workers(broker_url=broker, smtp_port=smtp_port, pool="solo", visibility_timeout=3600)
    message = queue_one_message()
    assert handler.stalled.wait(timeout=30), (tmp_path / "worker.log").read_text()
    first.kill()

    workers(broker_url=broker, smtp_port=smtp_port, pool="solo", visibility_timeout=3600)
    time.sleep(2)
    assert status_of(message) == OutboxMessage.Status.PENDING
    # Minutes later the beat's sweep queues the message again (the dead worker's copy stays with the broker).
    earlier = timezone.now() - timedelta(minutes=3)
    OutboxMessage.objects.filter(pk=message.pk).update(queued_at=earlier)
    sweep_task.delay()
    assert wait_until(lambda: status_of(message) == OutboxMessage.Status.SENT), (tmp_path / "worker.log").read_text()
    assert outbox.outbox_sweep() == 0
    time.sleep(1)
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1
    assert len(handler.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_a_pool_process_killed_while_sending_hands_the_task_back_and_the_email_goes_out_once(
    broker, stalling_smtp, workers, tmp_path
):
    handler, smtp_port = stalling_smtp
    # The broker's own redelivery (of a task taken but never acknowledged) waits an hour here, as in production.
    worker = workers(broker_url=broker, smtp_port=smtp_port, pool="prefork", visibility_timeout=3600)
    message = queue_one_message()

    # The kernel's out-of-memory killer takes the pool process that runs the task; the worker itself lives on.
    assert handler.stalled.wait(timeout=30), (tmp_path / "worker.log").read_text()
    (child,) = worker.children()
    os.kill(child, signal.SIGKILL)

    # acks_late with reject_on_worker_lost: the task goes back to the queue and a fresh pool process sends it.
    assert wait_until(lambda: status_of(message) == OutboxMessage.Status.SENT), (tmp_path / "worker.log").read_text()
    assert "WorkerLostError" in (tmp_path / "worker.log").read_text()
    assert outbox.outbox_send(message_id=message.pk) is False
    time.sleep(1)
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1
    assert len(handler.messages) == 1


# --- two sweeps at the same moment -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_outbox_sweeps_at_the_same_moment_send_each_email_once(redis_server, smtp_server):
    redis_server.start()
    with celery_broker(redis_server.url):
        # Written while the broker was down, so only a sweep can send them.
        redis_server.stop()
        with transaction.atomic():
            messages = [
                outbox.email_queue(template="test_message", to=f"person{index}@example.nl", language="nl")
                for index in range(6)
            ]
        redis_server.start()
        earlier = timezone.now() - timedelta(minutes=10)
        OutboxMessage.objects.update(next_attempt_at=earlier, queued_at=earlier)

        # Two beat schedulers (a second one started by mistake) send the sweep at the same moment.
        barrier = threading.Barrier(2)
        queued, errors = [], []

        def sweep():
            try:
                barrier.wait(timeout=10)
                queued.append(outbox.outbox_sweep())
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors, errors
        assert sum(queued) >= len(messages)

        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            assert wait_until(
                lambda: not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists(), timeout=30
            )
            time.sleep(0.5)  # any second copy of a task has been run by now

    assert sorted(text.split("To: ", 1)[1].split("\n", 1)[0].strip() for text in smtp_server.messages) == sorted(
        message.to for message in messages
    )
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


# --- PostgreSQL restarted under a running portal ---------------------------------------------------------------


def get(port: int, path: str, timeout: float = 10.0) -> tuple[int, str, float]:
    started = time.monotonic()
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        client.request("GET", path, headers={"Accept-Language": "en"})
        response = client.getresponse()
        return response.status, response.read().decode(), time.monotonic() - started
    finally:
        client.close()


@pytest.fixture
def private_postgres():
    server = PostgresServer()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()


def test_a_postgres_restart_fails_requests_cleanly_and_the_portal_recovers_by_itself(private_postgres, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "isimedia.tests.fault_settings",
        "DATABASE_URL": private_postgres.url,
        # Several requests on one connection, as in production, so the health check has a stale one to find.
        "DATABASE_CONN_MAX_AGE": "600",
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr

    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        portal = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "isimedia.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    # A public page that reads the database: the archive of the general terms.
    page = "/voorwaarden/versies/"
    try:

        def answers():
            try:
                return get(port, page)[0] == 200
            except OSError:
                return False

        assert wait_until(answers, timeout=30), log.read_text()
        assert get(port, page)[0] == 200

        private_postgres.stop()
        for _ in range(3):
            status, body, seconds = get(port, page)
            # The portal's own error page, at once: no hang, no traceback, no database detail.
            assert status == 500
            assert seconds < 5
            assert "Something went wrong" in body
            assert "Traceback" not in body and "OperationalError" not in body and str(private_postgres.port) not in body

        private_postgres.start()
        # No restart of the portal, no manual step: the next request gets a new connection.
        status, body, _ = get(port, page)
        assert status == 200, log.read_text()
        assert get(port, page)[0] == 200

        # A quick restart between two requests: the first one after it does not fail on the connection the
        # restart broke (CONN_HEALTH_CHECKS), it opens a new one.
        private_postgres.stop()
        private_postgres.start()
        assert get(port, page)[0] == 200, log.read_text()
    finally:
        os.killpg(portal.pid, signal.SIGTERM)
        portal.wait(timeout=20)
