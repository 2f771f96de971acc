from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "docket.complaints"
    label = "complaints"
    verbose_name = _("投诉处理")
