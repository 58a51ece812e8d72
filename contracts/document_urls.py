"""Public pages of the general terms (/voorwaarden/) and the DPA (/verwerkersovereenkomst/).

Included at the root: ``path("", include("contracts.document_urls"))``. The fixed pages come before the permanent
version addresses, and the services refuse labels that would collide with them.
"""

from django.urls import path

from . import document_views as views
from .document_views import PATHS

app_name = "documents"


def _patterns(kind: str, prefix: str) -> list:
    extra = {"kind": kind}
    return [
        path(f"{prefix}/", views.CurrentVersionView.as_view(), extra, name=f"{kind}"),
        path(f"{prefix}/versies/", views.ArchiveView.as_view(), extra, name=f"{kind}_archive"),
        path(f"{prefix}/wijzigingen/", views.ChangesView.as_view(), extra, name=f"{kind}_changes"),
        path(f"{prefix}/<str:label>/", views.VersionView.as_view(), extra, name=f"{kind}_version"),
        path(f"{prefix}/<str:label>/pdf/", views.VersionPdfView.as_view(), extra, name=f"{kind}_pdf"),
    ]


# Each document has the same five pages under its own Dutch prefix: /voorwaarden/… and /verwerkersovereenkomst/….
urlpatterns = [pattern for kind, prefix in PATHS.items() for pattern in _patterns(kind, prefix)]
