"""Fixtures shared by every app's tests: a real Celery worker, a private Redis server, a local SMTP server."""

import shutil
import uuid

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import translation

from isimedia.celery import app as celery_app
from isimedia.tests.staff import PortalClient
from isimedia.tests.support import RedisServer

pytest_plugins = ["isimedia.tests.browser", "isimedia.tests.smtp"]


@pytest.fixture(scope="session", autouse=True)
def _clean_test_redis():
    """Start from an empty test Redis database, so no task of an earlier run reaches a test worker."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.flushdb()
    except redis.ConnectionError as error:
        pytest.exit(f"Redis is not reachable at {settings.REDIS_URL} ({error}); set TEST_REDIS_URL.", returncode=3)
    finally:
        client.close()


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Every test gets a cache of its own (a fresh key prefix), so rate-limit counters of one test, or of another
    test run on the same Redis, never reach it. Changing the setting gives every thread, the live server's too, a new
    cache connection."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


@pytest.fixture
def client():
    """Django's test client, whose force_login also passes a staff member's second factor (isimedia/tests/staff.py)."""
    return PortalClient()


@pytest.fixture
def admin_client(db, admin_user):
    client = PortalClient()
    client.force_login(admin_user)
    return client


@pytest.fixture
def english_messages():
    """For tests that match a message's English wording: the site itself speaks Dutch by default."""
    with translation.override("en"):
        yield


@pytest.fixture
def celery_worker():
    """A real Celery worker in a thread, consuming from the test Redis. Use with transactional tests."""
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


@pytest.fixture
def redis_server():
    server = RedisServer()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.dir, ignore_errors=True)
