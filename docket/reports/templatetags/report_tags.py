from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def change(value, better=""):
    """A relative change (0.25 → ▲25.0%), or a dash when there is nothing to compare with. `better` ("up" or
    "down": which way is an improvement for this figure) colours it good or bad: a falling on-time rate is
    bad, a falling overdue count good (without it, up reads red and down green)."""
    if value is None:
        return "—"
    arrow = "▲" if value > 0 else "▼" if value < 0 else "＝"
    css = "up" if value > 0 else "down" if value < 0 else "same"
    if better in ("up", "down") and css != "same":
        css += " good" if css == better else " bad"
    return format_html('<span class="chg {}">{}{}%</span>', css, arrow, f"{abs(value) * 100:.1f}")


@register.filter
def at(items, index):
    """items[index] (a column's header for its cells: the phone's card layout labels each figure)."""
    try:
        return items[index]
    except (IndexError, TypeError):
        return ""


@register.simple_tag
def cell(c):
    """A table cell's figure, linked to the filtered complaint list when it has a drill-down."""
    if c.href:
        return format_html('<a href="{}">{}</a>', c.href, c.shown)
    return c.shown


@register.simple_tag
def heat_cell(heat, building, month):
    """Complaints received in one building in one month (the heat map's table)."""
    return heat.cells.get((building, month), 0)
