"""Who a request comes from: the client's IP address behind the reverse proxies the portal trusts."""

import ipaddress

from django.conf import settings
from django.utils.ipv6 import clean_ipv6_address


def client_ip(request) -> str | None:
    """The address the request came from, honouring ``TRUSTED_PROXY_COUNT`` reverse proxies.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so with N proxies the
    client's address is the N-th from the right: whatever stands left of it was written by the client itself and
    proves nothing. Without trusted proxies the header is ignored altogether. Used for the signer's address on a DPA
    and for every rate limit: behind a proxy, REMOTE_ADDR alone would put all visitors under one limit.
    """
    remote = valid_ip(request.META.get("REMOTE_ADDR", ""))
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the left-most one was still written by a trusted proxy.
    candidate = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    return valid_ip(candidate) or remote


def rate_limit_key(request) -> str:
    """The client's address for a rate-limit counter (never empty, so unknown clients share one counter)."""
    return client_ip(request) or "unknown"


def valid_ip(value: str) -> str | None:
    """The address as PostgreSQL's inet column gives it back, or None when it is not an address."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    text = str(address)
    # The model field stores IPv6 in Django's normal form; the evidence hash must be made of the stored value.
    return clean_ipv6_address(text) if ":" in text else text
