"""A topic template. Placeholders: {bld} building, {unit}, {room}, {n} a small number, {when}, {community}."""

from __future__ import annotations

from dataclasses import dataclass

from docket.complaints.models import Kind

WHEN = ("上周三", "前天", "本月初", "上周末", "昨天", "这周一", "上个月底")


@dataclass(frozen=True)
class Topic:
    key: str
    kind: Kind
    category: tuple[str, str]
    dept: str
    subjects: tuple[str, ...]
    descriptions: tuple[str, ...]
    demands: tuple[str, ...]
    summary: str
    findings: tuple[str, ...]
    measures: tuple[str, ...]
    done: str
    verify: str
    location: str = ""
    on_spot: str = ""
    developer: bool = False
    claim: tuple[int, int] | None = None
    claim_text: str = ""
    photo: bool = False
    collective: bool = False
    unreasonable: bool = False  # answered with a reasoned explanation (R-HDL-8)
    weight: int = 10
