"""Host names as we store and compare them: lower-case ASCII (IDNA), no trailing dot, no leading ``www.``.

The standard library's ``idna`` codec implements IDNA 2003; it maps a few characters differently from IDNA 2008
(``ß`` becomes ``ss``), which is acceptable for matching our clients' domains and needs no extra dependency.
"""

import ipaddress
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_HOST_LENGTH = 253
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_INVALID = _("Enter a domain name such as example.nl, or a web address such as https://www.example.nl/.")


def normalise_host(value: str) -> str:
    """Return the normalised host of a URL or bare host name; raise ValidationError for anything else."""
    host = _extract_host(value)
    try:
        # Encoding Unicode labels gives their xn-- form; decoding checks that given xn-- labels are valid punycode.
        host = host.encode("idna").decode("ascii")
        host.encode("ascii").decode("idna")
    except UnicodeError as error:
        raise ValidationError(_INVALID, code="invalid_host") from error
    host = host.lower()
    labels = host.split(".")
    if len(host) > MAX_HOST_LENGTH or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(_INVALID, code="invalid_host")
    if labels[-1].isdigit():
        # 192.168.1.1 and friends: an address is not a website's name.
        raise ValidationError(_INVALID, code="invalid_host")
    if labels[0] == "www" and len(labels) > 2:
        host = ".".join(labels[1:])
    return host


def host_suffixes(host: str) -> list[str]:
    """The host itself and every parent domain above the top-level domain, most specific first."""
    labels = host.split(".")
    return [".".join(labels[index:]) for index in range(len(labels) - 1)]


def _extract_host(value: str) -> str:
    value = (value or "").strip()
    if not value or any(character.isspace() for character in value):
        raise ValidationError(_INVALID, code="invalid_host")
    has_scheme = "://" in value
    # A bare host ("example.nl/shop") is parsed as a network location, so one parser handles both forms.
    try:
        parts = urlsplit(value if has_scheme else f"//{value}")
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as error:
        raise ValidationError(_INVALID, code="invalid_host") from error
    if has_scheme and parts.scheme.lower() not in ("http", "https"):
        raise ValidationError(_INVALID, code="invalid_host")
    if not has_scheme and parts.username is not None:
        # "info@example.nl" or "mailto:info@example.nl": an e-mail address, not a website.
        raise ValidationError(_INVALID, code="invalid_host")
    host = (parts.hostname or "").removesuffix(".")
    if not host or _is_ip_address(host):
        raise ValidationError(_INVALID, code="invalid_host")
    return host


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def display_host(host: str) -> str:
    """The host as people write it (``bäckerei.example``), for pages; stored hosts stay in ASCII form."""
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host
