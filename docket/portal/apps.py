from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The owners' self-service pages (issue 11): public, no account; the receipt is the key."""

    name = "docket.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"
