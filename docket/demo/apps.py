from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data loader: `manage.py seed_demo` and `manage.py demo_logins`. No models, so nothing of it
    shows in the admin (hence no translated verbose_name)."""

    name = "docket.demo"
    label = "demo"
