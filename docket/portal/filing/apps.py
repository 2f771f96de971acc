from django.apps import AppConfig


class PortalFilingConfig(AppConfig):
    """Portal filing (issue 11): phone proofs by one-time SMS code; pages under /p/ (docket/portal/urls.py)."""

    name = "docket.portal.filing"
    label = "portal_filing"
    default_auto_field = "django.db.models.BigAutoField"
