"""The home page and the health check; everything else lives in the apps."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from . import health


class HomeView(TemplateView):
    template_name = "home.html"


@never_cache
def healthz(request):
    report = health.health_report()
    # Staff see the error texts and the outbox figures; everyone else only which part is up.
    body = report if request.user.is_staff else health.public_report(report)
    return JsonResponse(body, status=200 if report["status"] == "ok" else 503)
