"""The project's form renderer (issue 14, accessibility): every `{{ field.as_field_group }}` (and so
`{{ form }}`) renders through the one shared field template, `complaints/_field.html`, which the hand-laid
pages include directly: labels or fieldsets with legends, and help and error texts under the ids that
Django's `aria-describedby` names."""

from django.forms.renderers import DjangoTemplates


class DocketFormRenderer(DjangoTemplates):
    field_template_name = "complaints/_field.html"
