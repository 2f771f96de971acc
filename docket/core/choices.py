"""A model field's choice label without Django's `get_FOO_display`, which rebuilds a hashable dict of all
the field's choices on every call (every lazy label translated to be hashed: ~33 µs). The dict of lazy
labels is built once per model and field; the label is translated when it is shown, as before."""

from __future__ import annotations

from typing import Any

_LABELS: dict = {}


def display(obj: Any, field: str):
    """`obj.get_<field>_display()`: the label of the field's value (the value itself when unknown)."""
    key = (type(obj), field)
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = dict(type(obj)._meta.get_field(field).flatchoices)
    value = getattr(obj, field)
    return labels.get(value, value)
