from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "docket.escalation"
    label = "escalation"
    verbose_name = _("热点与重大投诉")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from docket.complaints import reactions

        from . import forms, services

        reactions.register(services.TRIGGER_KINDS, services.react)
        forms.register()
