"""The top bar's links (base.html) reversed once per URL configuration and script prefix (tplcpu); an
object's URLs from one reversal per name (`id_url`, tpl).

The nav's 16 `{% url %}` take no arguments, so their answer depends only on the URL configuration and the
script prefix; a page reversed them on every request (~40 µs each). `{% nav_urls as top_urls %}` gives a dict of
the same URLs ({{ top_urls.work }} is `{% url 'complaints:work' %}`), escaped on output as `{% url %}` is."""

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
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


# URLs of one object (tpl): `{% url 'complaints:receipt' c.id %}` reversed the whole pattern on every page
# (~25 µs each, ~15 on the complaint page). `id_url` reverses a name once per URL configuration, script
# prefix and other arguments with a marker in place of the id, then writes each id where the marker was.
# For names whose first argument is an `<int:…>` id (the callers'; tests compare with `reverse`).

_ID_URLS: dict = {}
_MARK = 987_654_321_012  # an id no table reaches: it stands for the id in the reversed URL


@register.simple_tag
def id_url(name: str, pk: int, *rest) -> str:
    """`reverse(name, args=[pk, *rest])` for a non-negative int `pk`, from the name's reversal with a marker id."""

    if type(pk) is not int or pk < 0:
        return reverse(name, args=[pk, *rest])
    key = (get_urlconf(), get_script_prefix(), name, rest)
    parts = _ID_URLS.get(key)
    if parts is None:
        parts = reverse(name, args=[_MARK, *rest]).split(str(_MARK))
        if len(parts) != 2:  # the marker is not the URL's one id: no shortcut for this name
            return reverse(name, args=[pk, *rest])
        if len(_ID_URLS) > 2048:
            _ID_URLS.clear()
        _ID_URLS[key] = parts
    return f"{parts[0]}{pk}{parts[1]}"


_FIXED: dict = {}


@register.simple_tag
def fixed_url(name: str) -> str:
    """`{% url name %}` of a URL without arguments, reversed once per URL configuration and script prefix."""

    key = (get_urlconf(), get_script_prefix(), name)
    url = _FIXED.get(key)
    if url is None:
        if len(_FIXED) > 256:
            _FIXED.clear()
        url = _FIXED[key] = reverse(name)
    return url


@receiver(setting_changed)
def _forget_urls(*, setting: str, **kwargs) -> None:
    """Tests that swap the URL configuration (`override_settings(ROOT_URLCONF=…)`) get fresh reversals."""
    if setting == "ROOT_URLCONF":
        _URLS.clear()
        _ID_URLS.clear()
        _FIXED.clear()
