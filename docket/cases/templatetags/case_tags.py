from django import template

from docket.cases.access import may_write

register = template.Library()


@register.inclusion_tag("cases/_link.html", takes_context=True)
def case_link(context, complaint):
    """ "收入案例库" (or the case already written) on the complaint page, for those who write cases."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show = user is not None and may_write(user, complaint)
    case = getattr(complaint, "typical_case", None) if show else None
    return {"c": complaint, "show": show, "case": case}
