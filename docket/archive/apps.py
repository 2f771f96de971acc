from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "docket.archive"
    verbose_name = "投诉归档"
    default_auto_field = "django.db.models.BigAutoField"
