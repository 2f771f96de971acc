from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "docket.triage"
    label = "triage"
    verbose_name = "分诊建议"
    default_auto_field = "django.db.models.BigAutoField"
