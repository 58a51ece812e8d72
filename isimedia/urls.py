"""The portal's URLs: one include per app, the admin under a path from the environment."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from ntd import urls as ntd_urls

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("contracts.urls")),
    path("account/", include("contracts.auth_urls")),
    path("account/klachten/", include("ntd.account_urls")),
    path("", include("contracts.objection_urls")),
    path("", include("contracts.signing_urls")),
    path("", include("contracts.document_urls")),
    path("ntd/", include("ntd.urls")),
    path("api/", include((ntd_urls.api_urlpatterns, "ntd_api"))),
    path("privacy/", include("privacy.urls")),
    path("tevredenheid/", include("satisfaction.urls")),
]

handler404 = "isimedia.views.page_not_found"
handler500 = "isimedia.views.server_error"
