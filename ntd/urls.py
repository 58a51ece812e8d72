from django.urls import path
from django.views.generic import TemplateView

app_name = "ntd"

urlpatterns = [
    # The public entry page of this service; the issue that builds the app replaces it with the real form.
    path("", TemplateView.as_view(template_name="ntd/index.html"), name="index"),
]
