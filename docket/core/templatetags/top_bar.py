"""base.html's top bar (`<header>` … `</header>`) in Python, on every page (tpl, issue 14).

As template nodes the bar was ~60 node renders per page (each `{% if %}`, `{{ top_urls.x }}`, `{% translate %}`,
two includes, the language loop). Nearly all of it depends only on the language and the URL configuration:
those pieces are built once per (language, URL configuration, script prefix) and joined with the per-request
parts — the menu entries the user's roles offer (`nav_*` from complaints/context.nav), the search text, the
user's name, the csrf token, the path, the unread count. Same bytes as the template it replaces
(base.html before tpl, `_nav_agent.html`, `notifications/_nav_badge.html`, which stay for their own uses):

- `{% translate "literal" %}` is not escaped by Django (a literal is safe): neither are those pieces here;
- every value from the request or the database is escaped as `{{ }}` escapes it (`conditional_escape`).
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_noop

from .nav_urls import nav_urls

register = template.Library()

# The bar's messages (marked for makemessages: the f-strings below are not read by xgettext).
_TEXT = (
    gettext_noop("物业顾客投诉处理系统"),
    gettext_noop("编号、主题、电话后四位、姓名、房号"),
    gettext_noop("搜索投诉"),
    gettext_noop("搜索"),
    gettext_noop("我的待办"),
    gettext_noop("登记投诉"),
    gettext_noop("投诉列表"),
    gettext_noop("定期报告"),
    gettext_noop("统计分析"),
    gettext_noop("突发事件"),
    gettext_noop("案例库"),
    gettext_noop("热点/重大投诉"),
    gettext_noop("日盘点"),
    gettext_noop("意见箱"),
    gettext_noop("通知发送失败"),
    gettext_noop("常用答复"),
    gettext_noop("通知"),
    gettext_noop("通知（%(n)s 条未读）"),
    gettext_noop("个人信息"),
    gettext_noop("两步验证"),
    gettext_noop("退出"),
    gettext_noop("语言"),
    gettext_noop("菜单"),
)

_PARTS: dict[tuple, dict[str, str]] = {}


def _parts(lang: str) -> dict[str, str]:
    """The bar's fixed text in the current language (`lang`), built once per URL configuration."""

    key = (lang, get_urlconf(), get_script_prefix())
    parts = _PARTS.get(key)
    if parts is not None:
        return parts
    u = nav_urls()
    tr = {m: gettext(m) for m in _TEXT}
    e = conditional_escape  # `{{ top_urls.x }}` escapes the reversed URL
    link = '\n      <a href="{}">{}</a>'
    options = "".join(
        f'<option value="{e(code)}"{" selected" if code == lang else ""}>{e(gettext(name))}</option>'
        for code, name in settings.LANGUAGES
    )
    parts = {
        "brand": (
            '<header class="topbar no-print">\n'
            f'  <a class="brand" href="/">Docket <small>{tr["物业顾客投诉处理系统"]}</small></a>\n  '
        ),
        "search_open": (
            f'<form class="top-search" role="search" method="get" action="{e(u["search"])}">\n'
            '    <input type="search" name="q" value="'
        ),
        "search_close": (
            f'" placeholder="{tr["编号、主题、电话后四位、姓名、房号"]}" aria-label="{tr["搜索投诉"]}">\n'
            f'    <button type="submit">{tr["搜索"]}</button>\n'
            "  </form>\n"
            '  <button type="button" class="menu-button" aria-controls="top-nav" aria-expanded="false" '
            f"data-menu>{tr['菜单']}</button>"
        ),
        "nav_open": '\n  <nav id="top-nav">\n    ',
        "work": link.format(e(u["work"]), tr["我的待办"]) + "\n      ",
        "new": f'<a href="{e(u["new"])}">{tr["登记投诉"]}</a>',
        "common": (
            link.format(e(u["list"]), tr["投诉列表"])
            + link.format(e(u["duties"]), tr["定期报告"])
            + link.format(e(u["statistics"]), tr["统计分析"])
            + link.format(e(u["incidents"]), tr["突发事件"])
        ),
        "cases": link.format(e(u["cases"]), tr["案例库"]),
        "after_common": "\n      ",
        "escalation": f'<a href="{e(u["escalation"])}">{tr["热点/重大投诉"]}</a>',
        "front_desk": (
            f'<a href="{e(u["reconciliation"])}">{tr["日盘点"]}</a>'
            + link.format(e(u["box_log"]), tr["意见箱"])
            + link.format(e(u["delivery_failures"]), tr["通知发送失败"])
        ),
        "replies": f'<a href="{e(reverse("replies:list"))}">{tr["常用答复"]}</a>',
        "notices_open": f'\n<a href="{e(reverse("notifications:list"))}" class="nav-notices"',
        "notices": tr["通知"],
        "unread": tr["通知（%(n)s 条未读）"],
        "after_agent": "\n\n      ",
        "privacy": f'<a href="{e(u["privacy_log"])}">{tr["个人信息"]}</a>',
        "who": f'\n      <a class="who" href="{e(u["otp_setup"])}" title="{tr["两步验证"]}">',
        "logout": f'</a>\n      <form method="post" action="{e(u["logout"])}" class="inline">',
        "logout_close": f'<button class="link">{tr["退出"]}</button></form>\n    ',
        "language": f'\n    <form action="{e(u["set_language"])}" method="post" class="inline">',
        "next": '\n      <input name="next" type="hidden" value="',
        "language_close": (
            f'">\n      <select name="language" aria-label="{tr["语言"]}" data-autosubmit>\n'
            f"        \n        {options}\n"
            "      </select>\n    </form>\n  </nav>\n</header>"
        ),
    }
    _PARTS[key] = parts
    return parts


@receiver(setting_changed)
def _forget_parts(*, setting: str, **kwargs) -> None:
    """Tests that swap the URL configuration or the languages get a bar built again."""
    if setting in ("ROOT_URLCONF", "LANGUAGES"):
        _PARTS.clear()


def _csrf_input(context) -> str:
    """`{% csrf_token %}` (django.template.defaulttags.CsrfTokenNode)."""

    token = context.get("csrf_token")
    if token:
        if token == "NOTPROVIDED":
            return ""
        return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
    return ""


def _notices(context, p: dict[str, str]) -> str:
    """notifications/_nav_badge.html: the link to the notices with the unread count."""
    from docket.notifications.templatetags.inbox import inbox_unread

    unread = inbox_unread(context)
    if not unread:
        return f"{p['notices_open']}>{p['notices']}</a>\n"
    n = conditional_escape(str(unread))  # `{{ unread }}`: an int, as text
    label = p["unread"] % {"n": n}
    badge = "99+" if unread > 99 else n
    return f'{p["notices_open"]} aria-label="{label}">{p["notices"]} <span class="badge">{badge}</span></a>\n'


@register.simple_tag(takes_context=True)
def top_bar(context):
    """The whole `<header class="topbar">` of base.html for this request (see the module's docstring)."""
    from docket.replies.templatetags.agent import replies_nav

    p = _parts(get_language())
    user = context.get("user")
    request = context.get("request")
    csrf = _csrf_input(context)
    out = [p["brand"]]
    authenticated = bool(user is not None and user.is_authenticated)
    if authenticated:
        q = request.GET.get("q") if request is not None else None
        out += [p["search_open"], conditional_escape(q or ""), p["search_close"]]
    out.append(p["nav_open"])
    if authenticated:
        out += [
            p["work"],
            p["new"] if context.get("nav_can_register") else "",
            p["common"],
            p["cases"] if context.get("nav_cases") else "\n      ",  # the committee: no 案例库 (404 for them)
            p["after_common"],
            p["escalation"] if context.get("nav_escalation") else "",
            "\n      ",
            p["front_desk"] if context.get("nav_front_desk") else "",
            "\n      ",
            p["replies"] if replies_nav(context) else "",
            _notices(context, p),
            p["after_agent"],
            p["privacy"] if context.get("nav_privacy") else "",
            p["who"],
            conditional_escape(user),
            p["logout"],
            csrf,
            p["logout_close"],
        ]
    path = request.get_full_path() if request is not None else ""
    out += [p["language"], csrf, p["next"], conditional_escape(path), p["language_close"]]
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)
