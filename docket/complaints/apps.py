from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "docket.complaints"
    label = "complaints"
    verbose_name = _("投诉处理")

    def ready(self) -> None:
        from docket.notifications.service import failure_audience_register

        from .delivery_failures import failed_delivery_audience

        failure_audience_register(failed_delivery_audience)
