from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from docket.accounts import views as account_views
from docket.api.main import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="complaints:work", permanent=False)),
    # The admin signs in through the same form, throttle and two-step check as the staff pages.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True, permanent=False)),
    path("admin/", admin.site.urls),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("login/otp/", account_views.login_otp, name="login_otp"),
    path("account/two-step/", account_views.otp_setup, name="otp_setup"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("complaints/", include("docket.complaints.urls")),
    path("reports/", include("docket.reports.urls")),
    path("triage/", include("docket.triage.urls")),
    path("api/v1/", api.urls),
    path("p/", include("docket.portal.urls")),  # the owners' portal: public, no sign-in
    # incidents (issue 12): staff pages, and the portal's public notice of an office's active incidents
    path("incidents/", include("docket.incidents.urls")),
    path("p/o/", include("docket.incidents.public_urls")),
    # report documents, case library and archive (issue 13)
    path("cases/", include("docket.cases.urls")),
    path("archive/", include("docket.archive.urls")),
    path("escalation/", include("docket.escalation.urls")),  # escalation (issue 12)
    # agent features (issue 14): in-app notices, reply templates
    path("notifications/", include("docket.notifications.urls")),
    path("replies/", include("docket.replies.urls")),
]
# Uploaded files (attachments) are never served from MEDIA_URL: only through complaints:attachment and the
# API download, which check who may see the complaint.

# 400/403/404 use Django's handlers with our Chinese templates (docket/templates); 500 answers 503 when
# the database is unavailable, and renders without touching it.
handler500 = "docket.core.views.server_error"
