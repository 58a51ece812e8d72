"""Signing the DPA (client account), the signed PDFs, and the public verification page; included at the root."""

from django.urls import path

from . import signing_views as views

app_name = "contracts_signing"

urlpatterns = [
    path("account/verwerkersovereenkomst/", views.DpaStatusView.as_view(), name="dpa"),
    path("account/verwerkersovereenkomst/ondertekenen/<str:label>/", views.DpaSignView.as_view(), name="dpa_sign"),
    path("account/verwerkersovereenkomst/<int:acceptance_id>/pdf/", views.SignedPdfView.as_view(), name="dpa_pdf"),
    path("verifieer/", views.VerifyView.as_view(), name="verify"),
    path("verifieer/certificaat.pem", views.certificate_pem, name="certificate"),
]
