"""`{% fixed_text %}…{% end_fixed_text %}`: a fragment rendered once per language (tpl, issue 14).

For markup that depends on nothing but the language and the static files' URL — literal text, literal
`{% translate %}`s, `{% static %}` — such as the keyboard-shortcuts dialog on every page (_shortcuts.html):
the first rendering in a language is kept (per autoescape setting and STATIC_URL) and given again. Nothing
from the context may be used inside (no variables, no tags reading the request or the user)."""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


class FixedTextNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self._memo: dict[tuple, str] = {}

    def render(self, context):
        key = (get_language(), context.autoescape, settings.STATIC_URL)
        text = self._memo.get(key)
        if text is None:
            text = self._memo[key] = self.nodelist.render(context)
        return mark_safe(text)  # noqa: S308 (the fragment's own rendering, already escaped as it rendered)


@register.tag("fixed_text")
def do_fixed_text(parser, token):
    nodelist = parser.parse(("end_fixed_text",))
    parser.delete_first_token()
    return FixedTextNode(nodelist)
