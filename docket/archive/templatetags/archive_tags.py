from django import template

from docket.archive.access import may_export

register = template.Library()


@register.inclusion_tag("archive/_links.html", takes_context=True)
def archive_links(context, complaint):
    """The archive exports of the complaint page, for those who may export (archive/access.py)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"c": complaint, "show": user is not None and may_export(user, complaint)}
