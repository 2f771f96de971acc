"""The owners' portal fragment of incidents: public, no sign-in (mounted under /p/o/)."""

from django.urls import path

from . import views

app_name = "incidents_public"
urlpatterns = [path("<str:office>/incidents/", views.public_incidents, name="office")]
