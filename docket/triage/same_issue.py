"""Same-issue scoring (R-ESC-1): "the same problem at the same place", pure and without a database.

A complaint is reduced to a `Doc` (its category, the place it names, its content words, the person behind
it); `score(a, b)` in [0, 1] combines the three signals, and `THRESHOLD` (tuned on the evaluation set's
training split, bench/triage.py) decides a candidate. A different category or a certainly different place
caps the score below the threshold whatever the words say: the same lift fault in building 3 and in
building 5 are two issues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .text import Place, place_of, place_similarity, text_similarity, words

THRESHOLD = 0.75
WINDOW_DAYS = 30


@dataclass(frozen=True)
class Doc:
    key: object
    received_at: datetime | None
    # Category keys (path or id as text), the decided or most likely first; () when unknown. A complaint
    # being typed carries its top-3 suggestion: the second and third count half.
    categories: tuple[str, ...]
    place: Place
    words: frozenset[str]
    person: str = ""  # the normalised phone; "" when anonymous or unknown


def make_doc(
    key: object,
    text: str,
    *,
    categories: tuple[str, ...] = (),
    received_at: datetime | None = None,
    building: str = "",
    unit: str = "",
    location: str = "",
    person: str = "",
) -> Doc:
    """A Doc from normalised text (text.normalise) and the structured place, if any."""
    return Doc(
        key=key,
        received_at=received_at,
        categories=tuple(c for c in categories if c),
        place=place_of(location + "|" + text, building=building, unit=unit),
        words=words(text),
        person=person,
    )


def score(a: Doc, b: Doc) -> float:
    if a.categories and b.categories:
        if a.categories[0] == b.categories[0]:
            cat = 1.0
        elif set(a.categories) & set(b.categories):
            cat = 0.5
        else:
            cat = 0.0
    else:
        cat = 0.5
    place = place_similarity(a.place, b.place)
    text = min(1.0, text_similarity(a.words, b.words) * 2.0)
    s = 0.4 * cat + 0.35 * place + 0.25 * text
    if cat == 0.0 or place == 0.0:
        s = min(s, THRESHOLD - 0.2)
    return round(s, 4)


def people(docs: list[Doc]) -> tuple[int, int]:
    """(distinct known complainants, filings with no known person) — people, not filings: the same phone
    filing twice is one person; an anonymous filing or one without a complete phone is counted as unknown
    (it may be a new person or someone already counted, so it never reaches the ≥3 threshold on its own)."""
    known = {d.person for d in docs if d.person}
    unknown = sum(1 for d in docs if not d.person)
    return len(known), unknown
