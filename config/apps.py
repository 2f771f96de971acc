from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Registers the periodic schedules of config/jobs.py once every app is loaded."""

    name = "config"
    label = "docket_config"
    verbose_name = "Docket jobs"

    def ready(self) -> None:
        from . import jobs  # noqa: F401
