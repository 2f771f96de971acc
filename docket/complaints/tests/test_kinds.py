"""The event-kind registry (complaints/kinds.py): every kind a service can write is registered, every notice
and audience it names exists, and an unknown kind fails loudly wherever it is written or read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from docket.complaints import audiences, kinds
from docket.complaints.events import public_text
from docket.complaints.models import ComplaintEvent
from docket.complaints.templatetags.complaint_tags import event_label
from docket.notifications.models import NoticeKind

SOURCES = Path(kinds.__file__).parent


def _written_kinds() -> dict[str, str]:
    """Every string literal a service passes as the kind of an event: the first argument of `.record(…)`
    (both branches of a conditional too) and `kind=` of the sweep's steps."""
    found: dict[str, str] = {}

    def strings(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.IfExp):
            yield from strings(node.body)
            yield from strings(node.orelse)

    for path in [*(SOURCES / "services").glob("*.py"), *SOURCES.glob("*.py")]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
            ):
                for arg in node.args[:1]:
                    for value in strings(arg):
                        found[value] = path.name
            if isinstance(node, ast.Tuple) and path.name == "overdue.py":
                for elt in node.elts:
                    for value in strings(elt):
                        if value.startswith(("deadline_", "overdue_")):
                            found[value] = path.name
    return found


def test_the_scan_sees_the_services():
    written = _written_kinds()
    # A sanity check of the scan itself: kinds from several services, a conditional and the sweep.
    assert {"registered", "reply_sent", "issue_verified", "issue_rework", "deadline_warning"} <= set(written)
    assert len(written) >= 40


def test_every_kind_a_service_writes_is_registered():
    missing = {k: where for k, where in _written_kinds().items() if k not in kinds.KINDS}
    assert missing == {}


def test_every_notice_and_audience_exists():
    notices = {n.value for n in NoticeKind}
    for code, kind in kinds.KINDS.items():
        if kind.notice:
            assert kind.notice in notices, code
            assert kind.audience in audiences.AUDIENCES, code
        if kind.owner_text:
            kind.owner_text[1].format(no="X", code="Y", text="Z")  # every placeholder is one we fill


def test_an_unknown_kind_fails_loudly_when_written_and_when_read():
    from docket.complaints.services._base import Act

    act = Act(complaint=None, actor=None, action="x", now=None)  # type: ignore[arg-type]
    with pytest.raises(kinds.UnknownEventKind):
        act.record("no_such_kind", {})
    assert act.pending == []
    with pytest.raises(kinds.UnknownEventKind):
        event_label("no_such_kind")
    with pytest.raises(kinds.UnknownEventKind):
        public_text(ComplaintEvent(kind="no_such_kind", public=True, payload={}))


def test_a_kind_cannot_be_registered_twice_or_inconsistently():
    with pytest.raises(ValueError):
        kinds._kind("registered", "x")
    with pytest.raises(ValueError):
        kinds.EventKind("x", "x", public=False, public_fields=("note",))
    with pytest.raises(ValueError):
        kinds.EventKind("x", "x", public=True, public_fields=("note",), public_text="body")
    with pytest.raises(ValueError):
        kinds.EventKind("x", "x", notice="assigned")


def test_labels_are_translated(settings):
    from django.utils import translation

    with translation.override("en"):
        english = event_label("assigned")
    with translation.override("zh-hans"):
        chinese = event_label("assigned")
    assert chinese == "派单"
    assert english != chinese and english.isascii()
