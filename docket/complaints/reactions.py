"""What other apps do when a complaint's facts change (escalation, issue 12): one registry of reactions.

The complaint domain knows no app that builds on it (ARCHITECTURE.md: dependencies point one way), yet some
rules must run the moment a fact changes — the hot/major classification (R-ESC-3) at intake, when a risk
flag is set, when co-signers are added or a same-issue group is confirmed. An app registers a reaction for
the event kinds it cares about (in its `AppConfig.ready()`); `Act.notify()` calls `run()` after the
action's notices, inside the action's transaction, so a reaction's own changes commit or roll back with the
change that caused them. Interfaces that change facts outside a complaint action (the same-issue group
decisions of `docket.triage`) call `facts_changed()` themselves.

A reaction takes `(complaint_id, kinds, complaint=None)` and answers whether it changed the complaint (the caller's copy is
then re-read). It must not raise for facts it does not care about. Cost for an action whose kinds no
reaction names: one set intersection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Reaction = Callable[..., bool]  # (complaint_id, kinds, complaint=None) -> changed

_REACTIONS: list[tuple[frozenset[str], Reaction]] = []


def register(kinds: Iterable[str], reaction: Reaction) -> None:
    """Run `reaction` whenever an action writes an event of one of `kinds` (once per action)."""
    entry = (frozenset(kinds), reaction)
    if entry not in _REACTIONS:
        _REACTIONS.append(entry)


def run(complaint_id: int, kinds: Iterable[str], complaint=None) -> bool:
    """Call the reactions that named one of `kinds`; whether any changed the complaint. `complaint`: the
    row as the action just saved it, so a reaction can decide from it without a query."""
    written = frozenset(kinds)
    changed = False
    for wanted, reaction in list(_REACTIONS):
        if wanted & written:
            changed = reaction(complaint_id, written, complaint=complaint) or changed
    return changed


def facts_changed(complaint_ids: Iterable[int], kind: str) -> None:
    """A fact changed outside a complaint action (e.g. a confirmed same-issue group): react as if an
    event of `kind` had been written on each complaint."""
    for complaint_id in sorted(set(complaint_ids)):
        run(complaint_id, (kind,))
