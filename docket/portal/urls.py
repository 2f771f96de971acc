from django.urls import path

from . import views, views_answers
from .filing import views as filing_views

app_name = "portal"

urlpatterns = [
    path("track/", views.track_form, name="track_form"),
    path("track/<str:receipt_no>/", views.track, name="track"),
    path("track/<str:receipt_no>/answer/", views.answer, name="answer"),
    path("track/<str:receipt_no>/chase/", views.chase, name="chase"),
    path("verify/", views.verify, name="verify"),
    # --- portal filing (issue 11): the office's page and poster, filing, the receipt, the phone proof ---
    path("o/<str:code>/", filing_views.office, name="office"),
    path("o/<str:code>/poster/", filing_views.poster, name="poster"),
    path("o/<str:code>/poster.pdf", filing_views.poster_pdf, name="poster_pdf"),
    path("o/<str:code>/file/", filing_views.file, name="file"),
    path("r/<str:receipt_no>/", filing_views.receipt, name="receipt"),
    path("r/<str:receipt_no>/receipt.pdf", filing_views.receipt_pdf, name="receipt_pdf"),
    path("phone/", filing_views.phone, name="phone"),
    path("phone/list/", filing_views.phone_list, name="phone_list"),
]

# --- portal answers (issue 11) ---
urlpatterns += [
    path("track/<str:receipt_no>/rate/", views_answers.rate, name="rate"),
    path("track/<str:receipt_no>/add/", views_answers.add_info, name="add_info"),
    path("track/<str:receipt_no>/withdraw/", views_answers.withdraw, name="withdraw"),
    path("track/<str:receipt_no>/review/", views_answers.review, name="review"),
    path("t/<str:token>/", views_answers.link, name="link"),
]
