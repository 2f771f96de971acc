from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "docket.sla"
    label = "sla"
    verbose_name = _("时限与工作日历")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the calendar-coverage system check)
