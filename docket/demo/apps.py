from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data loader: `manage.py seed_demo` and `manage.py demo_logins`. No models."""

    name = "docket.demo"
    label = "demo"
    verbose_name = "演示数据"
