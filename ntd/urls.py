from django.urls import path

from . import api, customer_views, views

app_name = "ntd"

urlpatterns = [
    path("", views.NoticeCreateView.as_view(), name="index"),
    path("volgen/<str:token>/", views.NoticeTrackView.as_view(), name="track"),
    path("volgen/<str:token>/bestand/<int:evidence_id>/", views.complainant_evidence, name="track_evidence"),
    path("antwoord/<str:token>/", customer_views.CustomerAnswerView.as_view(), name="answer"),
    path("antwoord/<str:token>/bestand/<int:evidence_id>/", customer_views.customer_evidence, name="answer_evidence"),
]

# Mounted at /api/ by the project's URLconf.
api_urlpatterns = [
    path("ntd/notices/", api.notices, name="api_notices"),
    path("openapi.json", api.openapi, name="api_openapi"),
]
