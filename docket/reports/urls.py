from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("complaints.xlsx", views.complaints_export, name="complaints_xlsx"),
    path("duties/", views.report_duties, name="duties"),
    path("delivery-failures/", views.delivery_failures, name="delivery_failures"),
    path("duties/<int:pk>/", views.report_duty, name="duty"),
    path("statistics/", views.statistics, name="statistics"),
    path("k01f2/", views.k01f2, name="k01f2"),
    path("committee/", views.committee_home, name="committee_home"),
    path("committee/<int:community_id>/", views.committee, name="committee"),
]
