"""The top bar's links (base.html) reversed once per URL configuration and script prefix (tplcpu).

The nav's 16 `{% url %}` take no arguments, so their answer depends only on the URL configuration and the
script prefix; a page reversed them on every request (~40 µs each). `{% nav_urls as top_urls %}` gives a dict of
the same URLs ({{ top_urls.work }} is `{% url 'complaints:work' %}`), escaped on output as `{% url %}` is."""

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

NAV = {
    "search": "complaints:search",
    "work": "complaints:work",
    "new": "complaints:new",
    "list": "complaints:list",
    "duties": "reports:duties",
    "statistics": "reports:statistics",
    "incidents": "incidents:list",
    "cases": "cases:list",
    "escalation": "escalation:board",
    "reconciliation": "complaints:reconciliation",
    "box_log": "complaints:box_log",
    "delivery_failures": "reports:delivery_failures",
    "privacy_log": "complaints:privacy_log",
    "otp_setup": "otp_setup",
    "logout": "logout",
    "set_language": "set_language",
}

_URLS: dict = {}


@register.simple_tag
def nav_urls() -> dict[str, str]:
    key = (get_urlconf(), get_script_prefix())
    urls = _URLS.get(key)
    if urls is None:
        urls = _URLS[key] = {k: reverse(name) for k, name in NAV.items()}
    return urls
