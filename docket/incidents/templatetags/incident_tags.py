"""`{% complaint_incidents c %}`: the incidents a complaint is linked to, on the complaint page (issue 12)."""

from django import template

from docket.incidents import selectors

register = template.Library()


@register.inclusion_tag("incidents/_complaint_incidents.html")
def complaint_incidents(complaint):
    return {"incidents": selectors.incidents_of_complaint(complaint)}
