from django import template

from docket.notifications.inbox import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_unread(context) -> int:
    """The signed-in user's unread notices (one indexed COUNT per page)."""
    request = context.get("request")
    return unread_count(getattr(request, "user", None))
