from django.urls import path

from . import views

app_name = "replies"
urlpatterns = [
    path("", views.template_list, name="list"),
    path("new/", views.template_new, name="new"),
    path("<int:pk>/edit/", views.template_edit, name="edit"),
    path("fill/<int:complaint_id>/", views.template_fill, name="fill"),
]
