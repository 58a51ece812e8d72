"""The home page, robots.txt and the health check; everything else lives in the apps."""

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from . import health
from .twofactor import is_verified_staff


class HomeView(TemplateView):
    template_name = "home.html"


# Pages behind a private link or a login: search engines need not try them. The admin is left out on purpose, since
# naming it here would publish the path that is kept secret (settings.ADMIN_URL). The public privacy request form
# (/privacy/verzoek/) is allowed, its private follow-up pages below it are not ("$" ends a rule, as Google reads it).
ROBOTS_RULES = (
    "User-agent: *",
    "Disallow: /account/",
    "Disallow: /ntd/volgen/",
    "Disallow: /ntd/antwoord/",
    "Allow: /privacy/verzoek/$",
    "Allow: /privacy/verzoek/verstuurd/$",
    "Disallow: /privacy/verzoek/",
    "Disallow: /privacy/pakket/",
)


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def robots_txt(request):
    # A view rather than a static file: crawlers ask for /robots.txt at the root, where no static file is served.
    return HttpResponse("\n".join(ROBOTS_RULES) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
def healthz(request):
    report = health.health_report()
    # Staff see the error texts and the outbox figures; everyone else only which part is up.
    body = report if is_verified_staff(request.user) else health.public_report(report)
    return JsonResponse(body, status=200 if report["status"] == "ok" else 503)


def _api_error(request, message: str, status: int):
    return JsonResponse({"errors": {"non_field_errors": [message]}}, status=status)


def page_not_found(request, exception):
    # API clients read JSON, also when the address itself is wrong.
    if request.path.startswith("/api/"):
        return _api_error(request, _("There is no API endpoint at this address."), 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return _api_error(request, _("Something went wrong on our side; please try again later."), 500)
    return defaults.server_error(request)
