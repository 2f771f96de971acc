"""Places of a complaint for statistics (R-ORG-2; seed part 2, issue 15): a helper the statistics code calls
for its building dimension. A complaint counts under its building (from the room or unit, or the building
named), else under its public area, else under "未指明地点"."""

from __future__ import annotations

from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

UNSPECIFIED = _("未指明地点")


def annotate_place(qs: QuerySet) -> QuerySet:
    """`qs` of complaints with `place_building` (the building's name or null), `place_area` (the public area's
    name or null) and `place_label` (building, else public area, else ""): one join each, no extra query."""
    return qs.annotate(
        place_building=F("building__name"),
        place_area=F("public_area__name"),
        place_label=Coalesce(
            F("building__name"), F("public_area__name"), Value(""), output_field=CharField()
        ),
    )


def building_dimension(qs: QuerySet) -> list[tuple[str, int]]:
    """(label, complaints) per building or public area, most complaints first; complaints with no place are
    counted under "未指明地点"."""
    from django.db.models import Count

    rows = annotate_place(qs).values("place_label").annotate(n=Count("id")).order_by("-n", "place_label")
    return [(r["place_label"] or str(UNSPECIFIED), r["n"]) for r in rows]
