from django.urls import path

from . import views

app_name = "triage"
urlpatterns = [
    path("suggest", views.suggest, name="suggest"),
    path("acceptance/", views.acceptance, name="acceptance"),
]
