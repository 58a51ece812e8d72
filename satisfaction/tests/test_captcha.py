"""The ALTCHA captcha: a real challenge solved by brute force verifies once; anything else is refused."""

import base64
import json
import time

import altcha
import pytest

from satisfaction import captcha
from satisfaction.captcha import Failure


@pytest.fixture(autouse=True)
def _small_puzzle(settings):
    # Small enough to brute-force in a test, large enough that the counter is not guessed by accident.
    settings.SATISFACTION_CAPTCHA_MAX_NUMBER = 2000
    settings.SATISFACTION_CAPTCHA_EXPIRES_SECONDS = 600
    settings.SATISFACTION_CAPTCHA_HMAC_KEY = "test-captcha-key"


def solve(challenge: dict, *, counter: int | None = None) -> str:
    """What the widget puts in the form: the challenge with the counter found by trying 0, 1, 2, … in turn."""
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed, timeout=30)
    assert solution is not None
    if counter is not None:
        solution.counter = counter
    return altcha.Payload(parsed, solution).to_base64()


def edited(payload: str, change) -> str:
    data = json.loads(base64.b64decode(payload))
    change(data)
    return base64.b64encode(json.dumps(data).encode()).decode()


def test_a_challenge_is_signed_and_expires_and_asks_for_work_within_the_range(settings):
    before = time.time()
    challenge = captcha.challenge_create()

    parameters = challenge["parameters"]
    assert parameters["algorithm"] == "SHA-256"
    assert challenge["signature"]
    assert before + 600 - 1 <= parameters["expiresAt"] <= time.time() + 600
    solution = altcha.solve_challenge(altcha.Challenge.from_dict(challenge), timeout=30)
    # At least half the range, so that no challenge is trivially cheap.
    assert 1000 <= solution.counter < 2000
    # Each challenge is new.
    assert captcha.challenge_create()["parameters"]["nonce"] != parameters["nonce"]


def test_a_solved_challenge_verifies_once():
    payload = solve(captcha.challenge_create())

    assert captcha.payload_verify(payload) is None
    assert captcha.payload_verify(payload) == Failure.USED


def test_a_wrong_number_is_refused():
    challenge = captcha.challenge_create()
    right = altcha.solve_challenge(altcha.Challenge.from_dict(challenge), timeout=30).counter

    assert captcha.payload_verify(solve(challenge, counter=right + 1)) == Failure.INVALID
    # The derived key must match the counter, too.
    payload = solve(challenge)
    assert captcha.payload_verify(edited(payload, lambda d: d["solution"].update(derivedKey="00" * 32))) == (
        Failure.INVALID
    )


def test_an_expired_challenge_is_refused(settings):
    old = captcha.challenge_create(now=time.time() - settings.SATISFACTION_CAPTCHA_EXPIRES_SECONDS - 5)

    assert captcha.payload_verify(solve(old)) == Failure.EXPIRED


def test_a_tampered_challenge_is_refused():
    payload = solve(captcha.challenge_create())

    # Another signature, a longer life, an easier puzzle: none matches the signature any more.
    assert captcha.payload_verify(edited(payload, lambda d: d["challenge"].update(signature="ab" * 32))) == (
        Failure.INVALID
    )
    later = edited(payload, lambda d: d["challenge"]["parameters"].update(expiresAt=int(time.time()) + 86_400))
    assert captcha.payload_verify(later) == Failure.INVALID
    easier = edited(payload, lambda d: d["challenge"]["parameters"].update(keyPrefix="00"))
    assert captcha.payload_verify(easier) == Failure.INVALID
    # The untouched payload still works: the failures above did not use it up.
    assert captcha.payload_verify(payload) is None


def test_a_challenge_signed_with_another_key_is_refused(settings):
    payload = solve(captcha.challenge_create())
    settings.SATISFACTION_CAPTCHA_HMAC_KEY = "another-key"

    assert captcha.payload_verify(payload) == Failure.INVALID


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "   ",
        None,
        "niet-base64!",
        base64.b64encode(b"not json").decode(),
        base64.b64encode(b"[1, 2]").decode(),
        base64.b64encode(b'{"challenge": 1, "solution": 2}').decode(),
        "A" * 10_000,
    ],
)
def test_missing_and_malformed_payloads_are_refused(payload):
    assert captcha.payload_verify(payload) in (Failure.MISSING, Failure.INVALID)
    if not (payload or "").strip():
        assert captcha.payload_verify(payload) == Failure.MISSING


def test_the_widgets_test_mode_is_not_a_solution():
    # The widget's "test" option sends a payload without a challenge; it never passes here.
    payload = base64.b64encode(json.dumps({"challenge": None, "solution": None, "test": True}).encode()).decode()

    assert captcha.payload_verify(payload) == Failure.INVALID
