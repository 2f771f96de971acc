"""Django's `i18n` template library with one change (pagecpu2, issue 14): a `{% translate "text" %}` of a
literal — no filter, no `as`, no `context`, not `noop` — keeps what it rendered per language and
autoescape setting, so the next rendering of the same node is a dict lookup.

A staff page has ~60 such nodes (the top bar, the filter form, the table headings); each rendering walked
Django's variable resolution, the active catalogue (a thread-local read) and the escaping, ~1 ms of a page's
CPU. The text of a literal depends on nothing else: the catalogues are loaded once per process, and the
language is part of the key. Every other tag and filter is Django's own (config/settings/base.py maps the
`i18n` library name to this module, so templates keep `{% load i18n %}`).
"""

from __future__ import annotations

from django import template
from django.templatetags import i18n as django_i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)


class LiteralTranslateNode(django_i18n.TranslateNode):
    """A TranslateNode that keeps the rendering of a literal message per (language, autoescape)."""

    def __init__(self, node: django_i18n.TranslateNode):
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        self._memo: dict[tuple, str] = {}

    def render(self, context):
        key = (get_language(), context.autoescape)
        value = self._memo.get(key)
        if value is None:
            value = self._memo[key] = super().render(context)
        return value


def _literal(node: django_i18n.TranslateNode) -> bool:
    fe = node.filter_expression
    var = fe.var
    return (
        not node.noop
        and node.asvar is None
        and node.message_context is None
        and not fe.filters
        and isinstance(var, template.Variable)
        and var.literal is not None
        and isinstance(var.literal, str)
    )


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = django_i18n.do_translate(parser, token)
    return LiteralTranslateNode(node) if _literal(node) else node
