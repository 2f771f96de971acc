from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from docket.api.main import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="complaints:list", permanent=False)),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("complaints/", include("docket.complaints.urls")),
    path("reports/", include("docket.reports.urls")),
    path("triage/", include("docket.triage.urls")),
    path("api/v1/", api.urls),
]
# Uploaded files (attachments) are never served from MEDIA_URL: only through complaints:attachment and the
# API download, which check who may see the complaint.
