"""Log-in, password and invitation URLs, included under ``account/`` without a namespace.

Django's auth views and settings.LOGIN_URL look these up by their plain names (``login``,
``password_reset_confirm``, ...), so they cannot live in the namespaced ``contracts.urls``.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("wachtwoord-vergeten/", views.PasswordResetView.as_view(), name="password_reset"),
    path("wachtwoord-vergeten/verstuurd/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "wachtwoord-herstellen/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "wachtwoord-herstellen/klaar/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("activeren/<uidb64>/<token>/", views.InviteAcceptView.as_view(), name="invite_accept"),
]
