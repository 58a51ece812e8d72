"""Host names as we store and compare them: lower-case ASCII (IDNA 2008), no trailing dot, no leading ``www.``.

Unicode names are mapped with UTS #46 and encoded with IDNA 2008 (the ``idna`` package), as browsers and
registries do today: ``straße.de`` becomes ``xn--strae-oqa.de``, not ``strasse.de`` as under IDNA 2003.
A public suffix (``nl``, ``co.uk``, ``github.io``) is shared by many owners, so it is never one client's website;
``publicsuffixlist`` knows them from the copy of the Public Suffix List it ships, without going online.
"""

import functools
import ipaddress
import re
from urllib.parse import urlsplit

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from publicsuffixlist import PublicSuffixList

MAX_HOST_LENGTH = 253
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_INVALID = _("Enter a domain name such as example.nl, or a web address such as https://www.example.nl/.")
_PUBLIC_SUFFIX = _(
    "%(host)s is shared by many owners (like nl or co.uk), so it cannot be one client's website. "
    "Enter the client's own domain name, such as example.nl or example.co.uk."
)


def normalise_host(value: str) -> str:
    """Return the normalised host of a URL or bare host name; raise ValidationError for anything else."""
    host = _extract_host(value)
    try:
        # UTS #46 maps case and look-alike forms; IDNA 2008 encodes Unicode labels to xn-- and checks given ones.
        host = idna.encode(host, uts46=True).decode("ascii")
    except UnicodeError as error:  # idna.IDNAError is a UnicodeError
        raise ValidationError(_INVALID, code="invalid_host") from error
    labels = host.split(".")
    if len(host) > MAX_HOST_LENGTH or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(_INVALID, code="invalid_host")
    if labels[-1].isdigit():
        # 192.168.1.1 and friends: an address is not a website's name.
        raise ValidationError(_INVALID, code="invalid_host")
    if labels[0] == "www":
        # www.example.nl is example.nl; www.co.uk and www.nl name a public suffix, refused below.
        host = ".".join(labels[1:])
    if _public_suffix_list().is_public(host):
        raise ValidationError(_PUBLIC_SUFFIX, code="public_suffix", params={"host": display_host(host)})
    return host


def host_suffixes(host: str) -> list[str]:
    """The host itself and every parent domain down to the registrable domain, most specific first.

    ``a.shop.example.co.uk`` gives ``a.shop.example.co.uk``, ``shop.example.co.uk`` and ``example.co.uk``: the
    public suffix ``co.uk`` is left out, as no website can have it.
    """
    labels = host.split(".")
    registrable = _public_suffix_list().privatesuffix(host)
    last = len(labels) - len(registrable.split(".")) if registrable else 0
    return [".".join(labels[index:]) for index in range(last + 1)]


@functools.cache
def _public_suffix_list() -> PublicSuffixList:
    # Reads the list bundled with the package; it never downloads one.
    return PublicSuffixList()


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
        return idna.decode(host)
    except UnicodeError:
        return host
