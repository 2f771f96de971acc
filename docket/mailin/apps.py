from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailinConfig(AppConfig):
    name = "docket.mailin"
    label = "mailin"
    verbose_name = _("邮件投诉收取")
