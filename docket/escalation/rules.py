"""The hot and major rules (R-ESC-1/2, seed 5.4.1 and 5.4.2) as one pure function of a complaint's facts.

| code | severity | the seed's words |
|---|---|---|
| `lawsuit_filed` | major | 已经引发法律诉讼 |
| `media_exposed` | major | 已经被媒体（报刊、外部网站等）曝光 |
| `collective_major` | major | 10人以上的集体投诉 |
| `unresolved_major` | major | 投诉发生一个月后由于我方原因仍未能得到有效解决 |
| `legal_media_risk` | hot | 可能引发法律诉讼和媒体曝光 |
| `repeat_people` | hot | 一个月内累计三次以上不同投诉人的相同投诉 |
| `collective_hot` | hot | 3人以上集体投诉 |
| `unresolved_hot` | hot | 投诉一周以后由于我方原因仍未能解决 |

Thresholds are the company's (`models.EscalationPolicy`, the seed's numbers by default); "N or more" is
read as "at least N" (the seed's 以上 includes the number). `evaluate` knows no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from docket.complaints.models import Severity

RANK = {Severity.NORMAL: 0, Severity.HOT: 1, Severity.MAJOR: 2}

RULE_LABELS = {
    "lawsuit_filed": _("已引发法律诉讼"),
    "media_exposed": _("已被媒体曝光"),
    "collective_major": _("集体投诉人数达到重大标准"),
    "unresolved_major": _("因我方原因超过一个月仍未解决"),
    "legal_media_risk": _("可能引发诉讼或媒体曝光"),
    "repeat_people": _("一个月内不同投诉人的相同投诉"),
    "collective_hot": _("集体投诉人数达到热点标准"),
    "unresolved_hot": _("因我方原因超过一周仍未解决"),
}


@dataclass(frozen=True)
class Thresholds:
    repeat_people: int = 3
    repeat_window_days: int = 30
    hot_collective_people: int = 3
    major_collective_people: int = 10
    hot_unresolved_days: int = 7
    major_unresolved_days: int = 30


@dataclass(frozen=True)
class Facts:
    lawsuit_filed: bool = False
    media_exposed: bool = False
    legal_or_media_risk: bool = False
    people: int = 1  # the collective's size: the people count, at least the co-signers and the filer
    cosigners: int = 0
    repeat_known: int = 0  # different known complainants of the same issue within the window (this one too)
    repeat_unknown: int = 0  # anonymous filings or filings without a phone: shown, never counted
    repeat_receipts: tuple[str, ...] = ()
    # open days through the company's fault; None: ended, or not its fault; for a complaint younger than both
    # unresolved thresholds, its age (an upper bound: services.facts_of does not read the pauses then)
    fault_days: float | None = None
    paused_days: float = 0.0


@dataclass(frozen=True)
class Finding:
    severity: str
    code: str
    evidence: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(RULE_LABELS[self.code])


def evaluate(f: Facts, t: Thresholds) -> list[Finding]:
    """Every rule the facts meet, major first."""
    out: list[Finding] = []
    collective = {"people": f.people, "cosigners": f.cosigners}
    age = {"days": round(f.fault_days or 0.0, 1), "paused_days": round(f.paused_days, 1)}
    if f.lawsuit_filed:
        out.append(Finding(Severity.MAJOR, "lawsuit_filed", {"flag": "lawsuit_filed"}))
    if f.media_exposed:
        out.append(Finding(Severity.MAJOR, "media_exposed", {"flag": "media_exposed"}))
    if f.people >= t.major_collective_people:
        out.append(
            Finding(Severity.MAJOR, "collective_major", collective | {"threshold": t.major_collective_people})
        )
    if f.fault_days is not None and f.fault_days >= t.major_unresolved_days:
        out.append(Finding(Severity.MAJOR, "unresolved_major", age | {"threshold": t.major_unresolved_days}))
    if f.legal_or_media_risk:
        out.append(Finding(Severity.HOT, "legal_media_risk", {"flag": "legal_or_media_risk"}))
    if f.repeat_known >= t.repeat_people:
        out.append(
            Finding(
                Severity.HOT,
                "repeat_people",
                {
                    "people": f.repeat_known,
                    "unknown": f.repeat_unknown,
                    "receipts": list(f.repeat_receipts),
                    "window_days": t.repeat_window_days,
                    "threshold": t.repeat_people,
                },
            )
        )
    if f.people >= t.hot_collective_people:
        out.append(
            Finding(Severity.HOT, "collective_hot", collective | {"threshold": t.hot_collective_people})
        )
    if f.fault_days is not None and f.fault_days >= t.hot_unresolved_days:
        out.append(Finding(Severity.HOT, "unresolved_hot", age | {"threshold": t.hot_unresolved_days}))
    return out


def highest(findings: list[Finding]) -> str:
    best = Severity.NORMAL
    for f in findings:
        if RANK[Severity(f.severity)] > RANK[best]:
            best = Severity(f.severity)
    return best
