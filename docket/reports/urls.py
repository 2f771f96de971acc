from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("complaints.xlsx", views.complaints_export, name="complaints_xlsx"),
    path("duties/", views.report_duties, name="duties"),
    path("delivery-failures/", views.delivery_failures, name="delivery_failures"),
]
