from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("track/", views.track_form, name="track_form"),
    path("track/<str:receipt_no>/", views.track, name="track"),
    path("track/<str:receipt_no>/answer/", views.answer, name="answer"),
    path("track/<str:receipt_no>/chase/", views.chase, name="chase"),
    path("verify/", views.verify, name="verify"),
]
