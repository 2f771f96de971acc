from django.urls import path

from . import views, views_answers

app_name = "portal"

urlpatterns = [
    path("track/", views.track_form, name="track_form"),
    path("track/<str:receipt_no>/", views.track, name="track"),
    path("track/<str:receipt_no>/answer/", views.answer, name="answer"),
    path("track/<str:receipt_no>/chase/", views.chase, name="chase"),
    path("verify/", views.verify, name="verify"),
]

# --- portal answers (issue 11) ---
urlpatterns += [
    path("track/<str:receipt_no>/rate/", views_answers.rate, name="rate"),
    path("track/<str:receipt_no>/add/", views_answers.add_info, name="add_info"),
    path("track/<str:receipt_no>/withdraw/", views_answers.withdraw, name="withdraw"),
    path("track/<str:receipt_no>/review/", views_answers.review, name="review"),
    path("t/<str:token>/", views_answers.link, name="link"),
]
