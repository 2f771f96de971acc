from django import template

from docket.archive.access import may_export, may_export_bundle

register = template.Library()


@register.inclusion_tag("archive/_links.html", takes_context=True)
def archive_links(context, complaint):
    """The archive exports of the complaint page, for those who may export (archive/access.py)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "c": complaint,
        "show": user is not None and may_export(user, complaint),
        "bundle": user is not None and may_export_bundle(user, complaint),
    }
