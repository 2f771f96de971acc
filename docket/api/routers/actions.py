"""`POST /complaints/{id}/actions/{action}`: one operation per workflow action, each documented with
its own body (`version` + the action's inputs, declared in `complaints.services.inputs`). The body is
validated by the same form as the web page and `form.call()` calls the same service."""

from __future__ import annotations

import inspect
from typing import Any, cast

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from ninja import Body, Router

from docket.complaints import access, workflow
from docket.complaints.forms import ACTION_FORMS, ActionForm

from .. import render
from .. import selectors as api_selectors
from ..errors import FormInvalid
from ..idempotency import IdempotencyKey, idempotent
from ..schemas.actions import body_model, form_input, form_problems
from ..schemas.common import ERROR_STATUSES, ErrorOut
from ..schemas.complaints import ComplaintDetail
from .complaints import ComplaintId

router = Router(tags=["actions"])


def _view(action: str, form_class: type[ActionForm], model) -> Any:
    def view(request, response: HttpResponse, id: int, payload, idempotency_key: str | None = None):
        def act():
            complaint = access.access_complaint(request.auth, id)
            data, files = form_input(action, payload)
            form = form_class(data, files, complaint=complaint, user=request.auth)
            problems = form_problems(form, data)
            if problems:
                raise FormInvalid(problems)
            form.call()
            return 200, render.detail(api_selectors.complaint_for_render(complaint.id), request.auth)

        return idempotent(request, response, idempotency_key, act, ComplaintDetail)

    P = inspect.Parameter
    cast(Any, view).__signature__ = inspect.Signature(
        [
            P("request", P.POSITIONAL_OR_KEYWORD),
            P("response", P.POSITIONAL_OR_KEYWORD, annotation=HttpResponse),
            P("id", P.POSITIONAL_OR_KEYWORD, annotation=int, default=ComplaintId),
            P("payload", P.POSITIONAL_OR_KEYWORD, annotation=model, default=Body(...)),
            P("idempotency_key", P.POSITIONAL_OR_KEYWORD, annotation=str, default=IdempotencyKey),
        ]
    )
    view.__name__ = view.__qualname__ = f"action_{action}"
    return view


def _register() -> None:
    for action, form_class in ACTION_FORMS.items():
        spec = workflow.ACTIONS[action]
        with translation.override(settings.LANGUAGE_CODE):
            label = str(spec.label)
        router.add_api_operation(
            f"/complaints/{{id}}/actions/{action}",
            ["POST"],
            _view(action, form_class, body_model(action)),
            response={200: ComplaintDetail, ERROR_STATUSES: ErrorOut},
            operation_id=f"complaints_action_{action}",
            summary=f"{label} ({action})",
            description=f"Workflow action `{action}` ({label}). Allowed from states: "
            f"{', '.join(sorted(spec.sources))}. Answers the complaint as it is afterwards.",
        )


_register()
