"""The complaint page's agent panels (issue 14): attachment thumbnails (the complainant's history is
record_panels.history_panel, tpl2)."""

from django import template

register = template.Library()


@register.filter
def is_photo(att) -> bool:
    from docket.complaints.thumbs import is_image

    return is_image(att)
