"""What keeps bots off the feedback form besides the captcha: a honeypot, a minimum time to fill in, a rate limit.

- The honeypot is a text field people never see (hidden, out of the tab order, hidden from screen readers); a bot
  that fills in every field fills it in too.
- The form carries the moment it was shown, signed with ``django.core.signing``; an answer sent sooner than
  ``SATISFACTION_MIN_SECONDS`` later is refused. Nobody reads the question, chooses and ticks that fast.
- ``SATISFACTION_RATE_LIMIT`` answers per IP address per ``SATISFACTION_RATE_WINDOW`` seconds, counted in the cache
  (``ntd.ratelimit``); the address itself is never stored.
"""

import time

from django.conf import settings
from django.core import signing

from isimedia.http import rate_limit_key
from ntd import ratelimit

# A name a form-filling bot finds tempting.
HONEYPOT_FIELD = "website"
STARTED_FIELD = "started"
STARTED_SALT = "satisfaction.form.started"
# A form open longer than this is stale: its signed moment no longer counts.
STARTED_MAX_AGE = 24 * 60 * 60
RATE_KEY = "satisfaction-form"


def started_token(*, now: float | None = None) -> str:
    """The signed moment the form was shown, for its hidden field."""
    return signing.dumps(time.time() if now is None else now, salt=STARTED_SALT)


def seconds_since_start(token: str | None, *, now: float | None = None) -> float | None:
    """How long ago the form was shown, or None when the token is missing, forged or stale."""
    if not token:
        return None
    now = time.time() if now is None else now
    try:
        started = signing.loads(token, salt=STARTED_SALT, max_age=STARTED_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(started, (int, float)) or started > now + 60:
        return None
    return now - started


def too_fast(seconds: float) -> bool:
    return seconds < settings.SATISFACTION_MIN_SECONDS


def client_ip(request) -> str:
    return rate_limit_key(request)


def rate_limit_hit(request) -> bool:
    """Count one answer from this address; False once it sent more than the limit in the current window."""
    return ratelimit.hit(
        f"{RATE_KEY}:{client_ip(request)}", settings.SATISFACTION_RATE_LIMIT, settings.SATISFACTION_RATE_WINDOW
    )


def retry_after() -> int:
    return ratelimit.retry_after(settings.SATISFACTION_RATE_WINDOW)
