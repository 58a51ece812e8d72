"""A logged-in client contact's view of the complaints about its websites; included under ``account/klachten/``."""

from django.urls import path

from . import customer_views

app_name = "ntd_account"

urlpatterns = [
    path("<str:reference>/", customer_views.CustomerAnswerForContactView.as_view(), name="answer"),
    path("<str:reference>/bestand/<int:evidence_id>/", customer_views.contact_evidence, name="evidence"),
]
