"""The home page and the health check; everything else lives in the apps."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from . import health
from .twofactor import is_verified_staff


class HomeView(TemplateView):
    template_name = "home.html"


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
