from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "docket.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self):
        from .inbox import connect

        connect()
