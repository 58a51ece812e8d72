"""The feedback form's captcha: ALTCHA proof of work, made and checked by the portal itself (no third party).

The library ``altcha`` (PyPI) makes and checks the challenges; the widget (npm ``altcha``, vendored under
``static/vendor/altcha/``) solves them in the visitor's browser. Both speak ALTCHA's proof-of-work v2 format, in its
deterministic mode: the portal picks a secret counter below ``SATISFACTION_CAPTCHA_MAX_NUMBER``, publishes half of
the key derived from it, and the browser tries counters from 0 until one gives that key. That costs a browser about
a second and a bot farm the same per message; the challenge is signed with ``SATISFACTION_CAPTCHA_HMAC_KEY``, expires
after ``SATISFACTION_CAPTCHA_EXPIRES_SECONDS``, and a solved one is accepted once (remembered in the cache until it
expires).
"""

import enum
import logging
import secrets
import time

import altcha
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# Iterated SHA-256 with one round per counter: the work is the number of counters tried, as with ALTCHA's classic
# "max number", so SATISFACTION_CAPTCHA_MAX_NUMBER keeps its meaning. The widget has this algorithm built in.
ALGORITHM = "SHA-256"
COST = 1
# A real payload is about 600 characters; anything far longer is not worth decoding.
MAX_PAYLOAD_LENGTH = 4000
USED_PREFIX = "satisfaction:altcha-used"


class Failure(enum.Enum):
    """Why a payload was refused; the form says it in the visitor's words."""

    MISSING = "missing"
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"


def challenge_create(*, now: float | None = None) -> dict:
    """A new signed challenge, as the JSON object the widget expects."""
    now = time.time() if now is None else now
    max_number = max(2, settings.SATISFACTION_CAPTCHA_MAX_NUMBER)
    # At least half the range, so that no challenge is trivially cheap.
    counter = max_number // 2 + secrets.randbelow(max_number - max_number // 2)
    challenge = altcha.create_challenge(
        algorithm=ALGORITHM,
        cost=COST,
        counter=counter,
        expires_at=int(now + settings.SATISFACTION_CAPTCHA_EXPIRES_SECONDS),
        hmac_secret=settings.SATISFACTION_CAPTCHA_HMAC_KEY,
    )
    return challenge.to_dict()


def payload_verify(payload: str | None) -> Failure | None:
    """Check a payload the widget put in the form: None when it is good (and now used up), else why it is not."""
    payload = (payload or "").strip()
    if not payload:
        return Failure.MISSING
    if len(payload) > MAX_PAYLOAD_LENGTH:
        return Failure.INVALID
    try:
        result = altcha.verify_solution(payload, settings.SATISFACTION_CAPTCHA_HMAC_KEY)
    except Exception:  # a payload is whatever a client sent: anything it breaks means "not solved"
        logger.info("Unreadable ALTCHA payload refused.", exc_info=True)
        return Failure.INVALID
    if result.expired:
        return Failure.EXPIRED
    if not result.verified:
        return Failure.INVALID
    parsed = altcha.Payload.from_base64(payload)
    if not _use_once(parsed.challenge.signature, parsed.challenge.parameters.expires_at):
        return Failure.USED
    return None


def _use_once(signature: str, expires_at: int | None) -> bool:
    """Remember a solved challenge until it expires; False when it was used before."""
    key = f"{USED_PREFIX}:{signature}"  # verified, so our own hex HMAC
    remaining = int((expires_at or time.time() + settings.SATISFACTION_CAPTCHA_EXPIRES_SECONDS) - time.time())
    try:
        # add is atomic in Redis: of two requests with the same payload, one wins.
        return cache.add(key, 1, timeout=max(1, remaining) + 60)
    except Exception:
        # As with the rate limit: a Redis hiccup must not shut the form for everyone.
        logger.warning("Cache unreachable; ALTCHA payload accepted without the single-use check.", exc_info=True)
        return True
