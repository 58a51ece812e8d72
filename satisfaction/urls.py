from django.urls import path

from . import views

app_name = "satisfaction"

urlpatterns = [
    path("", views.FeedbackView.as_view(), name="index"),
    path("bedankt/", views.ThanksView.as_view(), name="thanks"),
    path("uitdaging/", views.ChallengeView.as_view(), name="challenge"),
]
