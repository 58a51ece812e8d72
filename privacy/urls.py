from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("verzoek/", views.RequestCreateView.as_view(), name="request"),
    path("verzoek/verstuurd/", views.RequestSentView.as_view(), name="request_sent"),
    path("verzoek/<str:token>/", views.RequestFollowView.as_view(), name="follow"),
    path("verzoek/<str:token>/bestanden/", views.RequestUploadView.as_view(), name="upload"),
    path("pakket/<str:token>/", views.PackageView.as_view(), name="package"),
]
