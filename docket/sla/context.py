"""The administrators' warning banner when the calendar lacks a year deadlines may soon reach (R-SLA-1)."""

from django.core.cache import cache


def calendar_warning(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and (user.is_staff or user.is_superuser)):
        return {}
    years = cache.get("docket:unknown_years")
    if years is None:
        from .duetimes import unknown_years_ahead

        years = list(unknown_years_ahead())
        cache.set("docket:unknown_years", years, 600)
    return {"calendar_unknown_years": years}
