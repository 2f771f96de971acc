from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("<int:pk>/record.pdf", views.archive_pdf, name="pdf"),
    path("<int:pk>/bundle.zip", views.archive_bundle, name="bundle"),
]
