"""A small fixed-window rate limiter on the Django cache (Redis), shared by every web and API process.

Each key gets one counter per window (``window_seconds`` long, aligned to the epoch), created with ``add`` and raised
with ``incr``: both are atomic in Redis, so concurrent requests are counted exactly. A burst of up to twice the limit
is possible across a window boundary; that is the usual price of a fixed window and acceptable here.
"""

import logging
import math
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

PREFIX = "ratelimit"


def _window(window_seconds: int, now: float) -> int:
    return int(now // window_seconds)


def _cache_key(key: str, window_seconds: int, now: float) -> str:
    return f"{PREFIX}:{key}:{window_seconds}:{_window(window_seconds, now)}"


def hit(key: str, limit: int, window_seconds: int) -> bool:
    """Count one request for ``key``; True while it is within ``limit`` requests in the current window.

    When the cache cannot be reached the request is allowed (and logged): a Redis hiccup must not shut the door on
    everyone.
    """
    now = time.time()
    cache_key = _cache_key(key, window_seconds, now)
    try:
        # The counter outlives its window a little, so a slow request at the boundary still finds it.
        cache.add(cache_key, 0, timeout=window_seconds + 60)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window_seconds + 60)
            count = 1
    except Exception:
        logger.warning("Rate limit cache unreachable; allowing %s.", key, exc_info=True)
        return True
    return count <= limit


def retry_after(window_seconds: int) -> int:
    """Seconds until the current window ends, for a ``Retry-After`` header (at least 1)."""
    now = time.time()
    return max(1, math.ceil((_window(window_seconds, now) + 1) * window_seconds - now))


def clear(key: str, window_seconds: int) -> None:
    """Forget the current window's count for ``key`` (for tests and for staff who lift a block)."""
    cache.delete(_cache_key(key, window_seconds, time.time()))
