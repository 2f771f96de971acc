from django.urls import path

from . import document_views, views

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
    # report documents (issue 13: approval, PDF/Excel, developer-legacy statistics)
    path("duties/<int:pk>/review/", document_views.duty_review, name="duty_review"),
    path("duties/<int:pk>/pdf/", document_views.duty_pdf, name="duty_pdf"),
    path("duties/<int:pk>/xlsx/", document_views.duty_xlsx, name="duty_xlsx"),
    path("developer-legacy/", document_views.developer_legacy, name="developer_legacy"),
]
