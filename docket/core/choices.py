"""A model field's choice label without Django's `get_FOO_display`, which rebuilds a hashable dict of all
the field's choices on every call (every lazy label translated to be hashed: ~33 µs). The dict of lazy
labels is built once per model and field; the label is translated when it is shown, as before."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_FIELD_LABELS: dict = {}


def _labels(field) -> dict | None:
    """The field's {value: lazy label}, built once per field; None for callable choices (asked each time)."""
    labels = _FIELD_LABELS.get(field)
    if labels is None:
        if not isinstance(field.choices, list | tuple):
            return None
        labels = _FIELD_LABELS[field] = dict(make_hashable(field.flatchoices))
    return labels


def display(obj: Any, field: str):
    """`obj.get_<field>_display()`: the label of the field's value (the value itself when unknown)."""
    f = type(obj)._meta.get_field(field)
    labels = _labels(f)
    if labels is None:
        return getattr(obj, f"get_{field}_display")()
    value = getattr(obj, f.attname)
    return labels.get(make_hashable(value), value)


class ChoicesDisplay(models.Model):
    """A model base whose `get_FOO_display()` reads the field's choices from a dict built once per field
    (Django's rebuilds it on every call, translating every lazy label to hash it). Same answer: the label
    of the value, as a string in the current language, or the value itself when no choice has it."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        labels = _labels(field)
        if labels is None:  # callable choices: asked each time, as Django
            return super()._get_FIELD_display(field)
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)
