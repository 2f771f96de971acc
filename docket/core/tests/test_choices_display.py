"""`ChoicesDisplay.get_FOO_display()` answers as Django's own (tplcpu)."""

from django.db import models
from django.utils import translation

from docket.complaints.models import Complaint


def test_display_matches_django_for_every_choice_and_language():
    fields = [f for f in Complaint._meta.concrete_fields if f.choices]
    assert fields
    for lang in ("zh-hans", "en", "zh-hans"):
        with translation.override(lang):
            for field in fields:
                for value in [v for v, _label in field.flatchoices] + ["no-such-value", ""]:
                    c = Complaint(**{field.attname: value})
                    mine = getattr(c, f"get_{field.name}_display")()
                    django = models.Model._get_FIELD_display(c, field)
                    assert mine == django and type(mine) is type(django), (lang, field.name, value)
