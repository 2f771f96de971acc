"""Every rule and threshold, at, below and above (pure)."""

import pytest

from docket.complaints.models import Severity
from docket.escalation.rules import Facts, Thresholds, evaluate, highest

T = Thresholds()


def codes(**facts) -> set[str]:
    return {f.code for f in evaluate(Facts(**facts), T)}


def test_nothing_is_normal():
    assert codes() == set()
    assert highest(evaluate(Facts(), T)) == Severity.NORMAL


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        (2, set()),
        (3, {"collective_hot"}),
        (4, {"collective_hot"}),
        (9, {"collective_hot"}),
        (10, {"collective_hot", "collective_major"}),
        (11, {"collective_hot", "collective_major"}),
    ],
)
def test_collective_thresholds(people, expected):
    assert codes(people=people) == expected


@pytest.mark.parametrize(("known", "hot"), [(2, False), (3, True), (4, True)])
def test_repeat_people_threshold(known, hot):
    assert ("repeat_people" in codes(repeat_known=known)) is hot


def test_unknown_filers_never_reach_the_threshold():
    assert "repeat_people" not in codes(repeat_known=2, repeat_unknown=5)
    found = evaluate(Facts(repeat_known=3, repeat_unknown=2, repeat_receipts=("a", "b", "c")), T)
    assert found[0].evidence["unknown"] == 2 and found[0].evidence["receipts"] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (6.9, set()),
        (7, {"unresolved_hot"}),
        (8, {"unresolved_hot"}),
        (29.9, {"unresolved_hot"}),
        (30, {"unresolved_hot", "unresolved_major"}),
        (31, {"unresolved_hot", "unresolved_major"}),
    ],
)
def test_unresolved_thresholds(days, expected):
    assert codes(fault_days=days) == expected


def test_not_the_company_fault_never_ages():
    assert codes(fault_days=None) == set()


def test_flags():
    assert codes(lawsuit_filed=True) == {"lawsuit_filed"}
    assert codes(media_exposed=True) == {"media_exposed"}
    assert codes(legal_or_media_risk=True) == {"legal_media_risk"}
    assert highest(evaluate(Facts(media_exposed=True, legal_or_media_risk=True), T)) == Severity.MAJOR
    assert highest(evaluate(Facts(legal_or_media_risk=True), T)) == Severity.HOT


def test_company_thresholds_apply():
    t = Thresholds(hot_collective_people=5, major_collective_people=20, hot_unresolved_days=3)
    assert {f.code for f in evaluate(Facts(people=4), t)} == set()
    assert {f.code for f in evaluate(Facts(people=5), t)} == {"collective_hot"}
    assert {f.code for f in evaluate(Facts(fault_days=3), t)} == {"unresolved_hot"}
