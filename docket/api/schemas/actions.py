"""Request bodies of the workflow actions, made from the same declarations as the staff workbench's
forms (`complaints.services.inputs.ACTION_INPUTS`): the same field names, types, required fields, length
limits and fixed choices. Each body is `version` plus the action's inputs.

The JSON body is checked twice: by the model below (types and limits, so the OpenAPI schema documents each
action) and then by the action's form (`complaints.forms.ACTION_FORMS`: the choices that depend on the
complaint and the caller, required text after stripping), exactly as on the web page, whose `form.call()`
calls the service.
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

from docket.complaints.services import inputs
from docket.complaints.services.inputs import In

from .common import MAX_ID, ApiDateTime, Id, InputSchema
from .intake import AttachmentIn

IssueKey = Annotated[str, Field(pattern=r"^[1-9][0-9]{0,14}$")]


def _field(spec: In) -> tuple[Any, Any]:
    """(type, pydantic Field) of one declared input; required inputs have no default."""
    description = str(spec.help or spec.label)
    required = spec.required
    kind = spec.kind
    if kind in (inputs.TEXT, inputs.LINE):
        return str, Field(... if required else "", max_length=spec.limit, description=description)
    if kind == inputs.ISSUE_MAP:
        return dict[IssueKey, Id], Field(default_factory=dict, description=description)
    if kind == inputs.REFS:  # seed3: several ids (checked against the complaint by the form)
        if required:
            return list[Id], Field(..., min_length=1, description=description)
        return list[Id], Field(default_factory=list, description=description)
    if kind == inputs.CHECK:
        return bool, Field(False, description=description)
    if kind == inputs.DECIMAL:
        limits: dict[str, Any] = {"max_digits": spec.max_digits, "decimal_places": spec.decimal_places}
        if spec.min_value is not None:
            limits["ge"] = Decimal(spec.min_value)
        return (Decimal if required else Decimal | None), Field(
            ... if required else None, description=description, **limits
        )
    kind_type: Any
    if kind == inputs.REF:
        kind_type = Id
    elif kind == inputs.CHOICE:
        kind_type = Literal[tuple(k if isinstance(k, int) else str(k) for k, _label in spec.choices)]
    elif kind == inputs.YES_NO:
        kind_type = bool
    elif kind == inputs.DATETIME:
        kind_type = ApiDateTime
    elif kind == inputs.FILE:
        kind_type = AttachmentIn
    else:  # pragma: no cover
        raise ValueError(f"unknown input kind {kind!r}")
    if required:
        return kind_type, Field(..., description=description)
    return kind_type | None, Field(None, description=description)


def body_model(action: str) -> type[InputSchema]:
    """The pydantic model of one action's body: `version` plus the action's declared inputs."""
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
        for name, spec in inputs.ACTION_INPUTS[action].items():
            fields[name] = _field(spec)
    model_name = "".join(p.capitalize() for p in action.split("_")) + "Action"
    return create_model(model_name, __base__=InputSchema, **fields)


def form_input(action: str, payload: InputSchema) -> tuple[dict, dict]:
    """(data, files) for the action's form, from a validated body."""
    specs = inputs.ACTION_INPUTS[action]
    data: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for name, value in payload:
        kind = specs[name].kind if name in specs else None
        if kind == inputs.ISSUE_MAP:
            for issue_id, dept_id in value.items():
                data[f"issue_{issue_id}"] = str(dept_id)
        elif value is None:
            continue
        elif kind == inputs.REFS:
            data[name] = [str(v) for v in value]
        elif kind == inputs.FILE:
            files[name] = SimpleUploadedFile(value.name, value.content())
        elif kind == inputs.YES_NO:
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
