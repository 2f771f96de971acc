from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "docket.core"
    label = "core"
    verbose_name = "核心"
