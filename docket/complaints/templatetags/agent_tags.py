"""The complaint page's agent panels (issue 14): the complainant's history, attachment thumbnails."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def complainant_history(context, c):
    from docket.complaints.history import history_for

    request = context.get("request")
    return history_for(getattr(request, "user", None), c)


@register.filter
def is_photo(att) -> bool:
    from docket.complaints.thumbs import is_image

    return is_image(att)
