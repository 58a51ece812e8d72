"""Keep the secret part of a link out of every log line.

A secret link (complaint tracking, a client's answer page, a privacy request's page and package, password reset and
invitation) carries its token in the path. Django logs a 404/409/410 on such a page ("Gone: /privacy/verzoek/<token>/"),
runserver and gunicorn log every request line and referrer; whoever reads the logs must not be able to open the page.

``RedactSecretsFilter`` rewrites a record's message (its arguments merged in) and any exception text, replacing the
token with ``[redacted]`` and leaving the rest of the path readable. Which segments are tokens comes from the URLconf:
every route with a ``<token>`` converter. Before Django's URLconf can be loaded (the gunicorn master), and for
addresses outside the URLconf, a narrower rule catches long random-looking segments.
"""

import logging
import re
from functools import lru_cache

from gunicorn.glogging import Logger as _GunicornLogger

REDACTED = "[redacted]"

# URL keyword arguments whose value is a secret.
SECRET_KWARGS = frozenset({"token"})

# Our tokens are 43 characters (secrets.token_urlsafe(32)), Django's password reset tokens about 39. A segment in a
# token position shorter than this is a mistyped or cut-off link that opens nothing, and stays readable (so does the
# "wachtwoord-kiezen" step Django's reset view redirects to).
MIN_SECRET_LENGTH = 20

# What can end a path inside a log line: the next segment, a query, a fragment, quotes, whitespace, a percent-encoded
# slash (a path inside another URL's query, like ?next=).
_SEGMENT = r"[^/\s?#&\"'<>%]"
_SEPARATOR = r"(?:/|%2[fF])"

# Without the URLconf: a long url-safe segment that looks random (mixed case, or letters and digits within one
# hyphen-separated part), so slugs like "verwerkersovereenkomst" and dated labels stay readable.
_LONG_SEGMENT = re.compile(rf"(?:(?<=/)|(?<=%2[fF]))([A-Za-z0-9_-]{{{MIN_SECRET_LENGTH},}})(?=[/?#&\s\"'<>%]|$)")
_MIXED_PART = re.compile(r"(?=[A-Za-z0-9]*[A-Za-z])(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]+")
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _looks_random(segment: str) -> bool:
    has_mixed_case = any(c.isupper() for c in segment) and any(c.islower() for c in segment)
    return has_mixed_case or any(_MIXED_PART.fullmatch(part) for part in re.split(r"[-_]", segment))


def _route_regex(route: str) -> str | None:
    """A regex that finds ``route`` (a path() route string) inside a log line, its secret parts as groups."""
    parts, position, secret_end = [], 0, None
    for match in _CONVERTER.finditer(route):
        parts.append(re.escape(route[position : match.start()]).replace("/", _SEPARATOR))
        if match["name"] in SECRET_KWARGS:
            parts.append(rf"({_SEGMENT}{{{MIN_SECRET_LENGTH},}})")
            secret_end = len(parts)
        else:
            parts.append(rf"{_SEGMENT}+")
        position = match.end()
    if secret_end is None:
        return None
    # Only the route up to its last secret matters: what follows may differ, or be cut off in the log line.
    return _SEPARATOR + "".join(parts[:secret_end])


def _routes(patterns, prefix: str = ""):
    from django.urls import URLResolver
    from django.urls.resolvers import RoutePattern

    for pattern in patterns:
        # A regex pattern (re_path) has no route string to build on; the fallback rule covers what lies below it.
        if not isinstance(pattern.pattern, RoutePattern):
            continue
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route


@lru_cache(maxsize=1)
def _url_secret_pattern() -> re.Pattern:
    from django.urls import get_resolver

    regexes = sorted({regex for route in _routes(get_resolver().url_patterns) if (regex := _route_regex(route))})
    return re.compile("|".join(regexes))


def _secret_pattern() -> re.Pattern | None:
    from django.apps import apps

    # Only once Django is set up (a gunicorn worker, runserver, Celery); until then the fallback rule alone applies.
    if not apps.ready:
        return None
    try:
        return _url_secret_pattern()
    except Exception:  # noqa: BLE001 - a broken URLconf must not stop logging; the fallback rule still applies.
        return None


def _redact_groups(match: re.Match) -> str:
    text, start = match.group(0), match.start()
    result, position = [], 0
    for index in range(1, (match.re.groups or 0) + 1):
        if match.start(index) == -1:
            continue
        result.append(text[position : match.start(index) - start])
        result.append(REDACTED)
        position = match.end(index) - start
    result.append(text[position:])
    return "".join(result)


def redact(text: str) -> str:
    """``text`` with the secret segments of every link path in it replaced by ``[redacted]``."""
    if "/" not in text and "%2" not in text.lower():
        return text
    pattern = _secret_pattern()
    if pattern is not None and pattern.pattern:
        text = pattern.sub(_redact_groups, text)
    return _LONG_SEGMENT.sub(lambda m: REDACTED if _looks_random(m.group(1)) else m.group(1), text)


class RedactSecretsFilter(logging.Filter):
    """Redacts secret link tokens in a record's message, arguments and exception text; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a badly formatted record is logging's problem to report, not ours.
            return True
        redacted = redact(message)
        if redacted != message or record.args:
            # The merged message replaces format and arguments, so no handler formats the raw arguments again.
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with secret tokens redacted from its access lines (request line, referrer) and error log."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(existing, RedactSecretsFilter) for existing in handler.filters):
                    handler.addFilter(RedactSecretsFilter())

    def atoms(self, resp, req, environ, request_time):
        # Also redact here, before formatting, so a handler added by a logconfig (which has no filter) is covered.
        return {
            key: redact(value) if isinstance(value, str) else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }
