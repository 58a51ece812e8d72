"""The fixed-window limiter, against the real Redis cache of the test settings."""

import threading
import uuid

import pytest
import redis
from django.conf import settings

from ntd import ratelimit


@pytest.fixture
def key():
    """A key no other test (or engineer's run) uses; its counters are removed afterwards."""
    name = f"test-{uuid.uuid4().hex}"
    yield name
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        for stored in client.scan_iter(f"*:{ratelimit.PREFIX}:{name}:*"):
            client.delete(stored)
    finally:
        client.close()


class FrozenClock:
    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


def test_allows_up_to_the_limit_then_refuses(key):
    assert [ratelimit.hit(key, 3, 60) for _ in range(5)] == [True, True, True, False, False]


def test_keys_are_counted_apart(key):
    other = f"{key}-other"
    assert ratelimit.hit(key, 1, 60)
    assert not ratelimit.hit(key, 1, 60)
    assert ratelimit.hit(other, 1, 60)


def test_the_counter_lives_in_redis_and_expires_after_its_window(key):
    ratelimit.hit(key, 5, 60)
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        [stored] = list(client.scan_iter(f"*:{ratelimit.PREFIX}:{key}:*"))
        assert int(client.get(stored)) == 1
        assert 0 < client.ttl(stored) <= 60 + 60
    finally:
        client.close()


def test_a_new_window_starts_from_zero(key, monkeypatch):
    clock = FrozenClock(1_800_000_000.0)  # the start of a 60-second window
    monkeypatch.setattr(ratelimit, "time", clock)
    assert ratelimit.hit(key, 1, 60)
    clock.now += 59
    assert not ratelimit.hit(key, 1, 60)
    assert ratelimit.retry_after(60) == 1
    clock.now += 1
    assert ratelimit.hit(key, 1, 60)
    assert ratelimit.retry_after(60) == 60


def test_concurrent_requests_are_counted_exactly(key):
    results = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def request():
        start.wait()
        allowed = ratelimit.hit(key, 10, 60)
        with lock:
            results.append(allowed)

    threads = [threading.Thread(target=request) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count(True) == 10 and results.count(False) == 10


def test_clear_forgets_the_current_count(key):
    assert ratelimit.hit(key, 1, 60)
    assert not ratelimit.hit(key, 1, 60)
    ratelimit.clear(key, 60)
    assert ratelimit.hit(key, 1, 60)


def test_an_unreachable_cache_lets_requests_through(key, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert all(ratelimit.hit(key, 1, 60) for _ in range(3))
