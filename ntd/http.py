"""Response headers shared by every page and file behind a secret link (tracking, answer, evidence)."""

from django.utils.cache import add_never_cache_headers


def private_headers(response, *, referrer_policy: str = "same-origin"):
    """Never stored, never indexed, the address never sent to other sites.

    Pages use ``same-origin`` rather than ``no-referrer``: under ``no-referrer`` browsers send ``Origin: null`` with a
    form post, which Django's CSRF check refuses, so neither the answer forms nor the language switch would work.
    ``same-origin`` still sends nothing to any other site.
    """
    add_never_cache_headers(response)
    response["Referrer-Policy"] = referrer_policy
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
