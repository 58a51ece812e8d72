"""The client's objection page; included at the root of the site."""

from django.urls import path

from . import objection_views

app_name = "contracts_objections"

urlpatterns = [
    path("account/bezwaar/<int:version_id>/", objection_views.ObjectionView.as_view(), name="objection"),
]
