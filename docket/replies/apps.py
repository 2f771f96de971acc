from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepliesConfig(AppConfig):
    name = "docket.replies"
    label = "replies"
    verbose_name = _("常用答复")
    default_auto_field = "django.db.models.BigAutoField"
