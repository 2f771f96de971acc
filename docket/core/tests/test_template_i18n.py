"""docket/core/template_i18n.py: `{% load i18n %}` renders exactly as Django's library, literal translations
kept per language and autoescape setting; every other form of the tag is Django's node."""

from django.template import Context, Engine, engines
from django.templatetags import i18n as django_i18n
from django.utils import translation

from docket.core.template_i18n import LiteralTranslateNode

SOURCE = (
    '{% load i18n %}{% translate "搜索" %}|{% trans "菜单" %}|{% translate "a%%b" %}|{% translate "<b>x</b>" %}'
    '|{% translate "搜索" as s %}{{ s }}|{% translate "搜索"|upper %}|{% translate "搜索" noop %}'
    '|{% translate "May" context "month name" %}|{% translate var %}'
    '|{% autoescape off %}{% translate "<b>x</b>" %}{% endautoescape %}'
    "|{% blocktranslate %}共 {{ n }} 条{% endblocktranslate %}"
)


def test_same_output_as_djangos_library():
    ours = engines["django"].from_string(SOURCE)
    plain = Engine(libraries={"i18n": "django.templatetags.i18n"}).from_string(SOURCE)
    assert any(isinstance(n, LiteralTranslateNode) for n in ours.template.nodelist)
    assert not any(isinstance(n, LiteralTranslateNode) for n in plain.nodelist)
    for lang in ("zh-hans", "en", "zh-hans", "en"):  # twice each: the second from the kept renderings
        with translation.override(lang):
            for autoescape in (True, False):
                ctx = {"var": "<i>搜索</i>", "n": 3}
                expected = plain.render(Context(ctx, autoescape=autoescape))
                assert ours.template.render(Context(ctx, autoescape=autoescape)) == expected, (
                    lang,
                    autoescape,
                )
    with translation.override("en"):
        assert ours.render({}).startswith("Search|")


def test_only_literal_translations_are_kept():
    nodes = engines["django"].from_string(SOURCE).template.nodelist
    kept = nodes.get_nodes_by_type(LiteralTranslateNode)
    translate = nodes.get_nodes_by_type(django_i18n.TranslateNode)
    assert len(kept) == 5 and len(translate) == 10


def test_no_other_library_name_is_taken_twice():
    """templates.W003 is silenced for the `i18n` override only: any other name given to two tag modules
    is still an error."""
    from collections import defaultdict

    from django.conf import settings
    from django.template.backends.django import get_template_tag_modules

    libraries = defaultdict(set)
    for name, path in get_template_tag_modules():
        libraries[name].add(path)
    for name, path in settings.TEMPLATES[0]["OPTIONS"]["libraries"].items():
        libraries[name].add(path)
    assert {name for name, paths in libraries.items() if len(paths) > 1} == {"i18n"}
