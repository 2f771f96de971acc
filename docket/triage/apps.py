from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "docket.triage"
    label = "triage"
    verbose_name = _("分诊建议")
    default_auto_field = "django.db.models.BigAutoField"
