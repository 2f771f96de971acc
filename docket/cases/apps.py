from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "docket.cases"
    verbose_name = "顾客投诉案例库"
    default_auto_field = "django.db.models.BigAutoField"
