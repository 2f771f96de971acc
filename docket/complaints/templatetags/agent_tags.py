"""Agent features' template filters (issue 14): whether an attachment is a photo. The complaint page's
history and attachments are record_panels' `history_panel` and `attachment_list` (tpl2)."""

from django import template

register = template.Library()


@register.filter
def is_photo(att) -> bool:
    from docket.complaints.thumbs import is_image

    return is_image(att)
