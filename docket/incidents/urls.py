from django.urls import path

from . import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_new, name="new"),
    path("hint", views.intake_hint, name="hint"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/update/", views.incident_update, name="update"),
    path("<int:pk>/resolve/", views.incident_resolve, name="resolve"),
    path("<int:pk>/link/", views.incident_link, name="link"),
    path("<int:pk>/unlink/", views.incident_unlink, name="unlink"),
]
