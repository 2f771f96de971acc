"""Request bodies of the workflow actions, derived from the staff workbench's forms
(`complaints.forms.ACTION_FORMS`), so the API and the web page accept the same fields and call the
same service through the same `form.call()`.

The JSON body is checked twice: by the model below (types, so the OpenAPI schema documents each action)
and then by the form itself (choices that depend on the complaint and the caller, required text, the
form's own rules), exactly as on the web page.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pydantic import Field, create_model
from pydantic.fields import FieldInfo

from docket.complaints.forms import ActionForm, AssignForm

from .common import MAX_ID, ApiDateTime, Id, InputSchema
from .intake import AttachmentIn

TEXT_MAX = 20000
IssueKey = Annotated[str, Field(pattern=r"^[1-9][0-9]{0,14}$")]


def _is_bool_choice(field: forms.Field) -> bool:
    keys = {str(k) for k, _ in getattr(field, "choices", [])}
    return keys == {"1", "0"} and getattr(field, "coerce", None) not in (int, None)


def _static_choices(field: forms.Field) -> list:
    return [k for k, _ in getattr(field, "choices", []) if k != ""]


def _annotation(field: forms.Field) -> tuple[Any, Any]:
    """(type, default) for one form field; default `...` when required."""
    required = field.required
    if isinstance(field, forms.FileField):
        return (AttachmentIn, ...) if required else (AttachmentIn | None, None)
    if isinstance(field, forms.TypedChoiceField) and _is_bool_choice(field):
        return (bool, ...) if required else (bool | None, None)
    if isinstance(field, forms.ChoiceField):
        # Static choices become an enum; choices filled per complaint and caller (issues, departments,
        # claims …) are ids.
        choices = tuple(str(c) if isinstance(c, str) else c for c in _static_choices(field))
        kind = Literal[choices] if choices else Id  # type: ignore[valid-type]
        return (kind, ...) if required else (kind | None, None)
    if isinstance(field, forms.DateTimeField):
        return (ApiDateTime, ...) if required else (ApiDateTime | None, None)
    if isinstance(field, forms.DecimalField):
        dec = Decimal
        return (
            (dec, Field(..., max_digits=field.max_digits, decimal_places=field.decimal_places))
            if required
            else (dec | None, Field(None, max_digits=field.max_digits, decimal_places=field.decimal_places))
        )
    if isinstance(field, forms.BooleanField):
        return bool, False
    if isinstance(field, forms.IntegerField):
        return (int, Field(..., ge=0, le=MAX_ID)) if required else (int | None, Field(None, ge=0, le=MAX_ID))
    max_length = getattr(field, "max_length", None) or TEXT_MAX
    return (str, Field(..., max_length=max_length)) if required else (str, Field("", max_length=max_length))


def _with_description(spec: tuple[Any, Any], description: str) -> tuple[Any, Any]:
    kind, default = spec
    if isinstance(default, FieldInfo):
        default.description = description
        return kind, default
    return kind, Field(default, description=description)


def body_model(action: str, form_class: type[ActionForm]) -> type[InputSchema]:
    """The pydantic model of one action's body: `version` plus the form's fields."""
    fields: dict[str, Any] = {
        "version": (
            int,
            Field(
                ...,
                ge=1,
                le=MAX_ID,
                description="the complaint's version the caller saw (optimistic concurrency)",
            ),
        ),
    }
    with translation.override(settings.LANGUAGE_CODE):
        for name, field in form_class.base_fields.items():
            if name == "version":
                continue
            fields[name] = _with_description(_annotation(field), str(field.label or name))
        if form_class is AssignForm:  # its per-issue fields are made per complaint (issue_<id>)
            fields["issue_departments"] = (
                dict[IssueKey, Id],
                Field(
                    default_factory=dict,
                    description="为各问题另行指定责任部门：{问题 id: 部门 id}；未列出的问题随主责部门",
                ),
            )
    model_name = "".join(p.capitalize() for p in action.split("_")) + "Action"
    return create_model(model_name, __base__=InputSchema, **fields)


def form_input(form_class: type[ActionForm], payload: InputSchema) -> tuple[dict, dict]:
    """(data, files) for the form, from a validated body."""
    data: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for name, value in payload:
        field = form_class.base_fields.get(name)
        if name == "issue_departments":
            for issue_id, dept_id in value.items():
                data[f"issue_{issue_id}"] = str(dept_id)
        elif value is None:
            continue
        elif isinstance(field, forms.FileField):
            files[name] = SimpleUploadedFile(value.name, value.content())
        elif isinstance(field, forms.TypedChoiceField) and _is_bool_choice(field):
            data[name] = "1" if value else "0"
        elif isinstance(value, datetime):
            data[name] = value.isoformat()
        elif isinstance(value, bool):
            data[name] = value
        else:
            data[name] = str(value)
    return data, files


def form_problems(form: forms.Form, data: dict) -> list[dict]:
    """What the form refuses, as validation field errors (empty when the input is good). Keys the
    form does not know can only be `issue_departments` entries naming another complaint's issue."""
    unknown = [k for k in data if k not in form.fields]
    if unknown:
        return [
            {
                "loc": ["body", "issue_departments"],
                "field": "issue_departments",
                "type": "invalid_choice",
                "message": f"不是本投诉的问题：{k.removeprefix('issue_')}",
            }
            for k in unknown
        ]
    if form.is_valid():
        return []
    out = []
    for name, errors in form.errors.get_json_data().items():
        field = "" if name == "__all__" else name
        for err in errors:
            out.append(
                {
                    "loc": ["body", field] if field else ["body"],
                    "field": field,
                    "message": err["message"],
                    "type": err.get("code") or "invalid",
                }
            )
    return out
