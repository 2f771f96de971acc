"""Action inputs declared once (services/inputs.py): the workbench form and the API body derived from one
declaration agree on fields, required fields, limits and choices; the limits agree with the model; the page
and the API refuse the same input with the same code and the same Chinese message."""

from __future__ import annotations

import typing

import pytest
from django.urls import reverse

from docket.api.schemas.actions import _field, body_model
from docket.complaints import workflow
from docket.complaints.forms import ACTION_FORMS, form_field
from docket.complaints.models import Complaint, ComplaintIssue, CoSigner, DeveloperForward
from docket.complaints.services import inputs
from docket.complaints.services.inputs import ACTION_INPUTS, In

from .conftest import Api

pytestmark = pytest.mark.django_db


def _api_limits(model) -> dict[str, int | None]:
    out = {}
    for name, info in model.model_fields.items():
        out[name] = next((m.max_length for m in info.metadata if hasattr(m, "max_length")), None)
    return out


def _literal_values(annotation) -> set[str] | None:
    for arg in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(arg) is typing.Literal:
            return {str(v) for v in typing.get_args(arg)}
    return None


def test_every_action_is_declared_once_and_has_its_form():
    assert set(ACTION_INPUTS) == set(workflow.ACTIONS)
    assert set(ACTION_FORMS) == set(workflow.STAFF_ACTIONS)
    assert all(form.action == action for action, form in ACTION_FORMS.items())


@pytest.mark.parametrize("action", sorted(ACTION_FORMS))
def test_form_and_api_body_come_from_one_declaration(action):
    declared = ACTION_INPUTS[action]
    form_fields = {k: f for k, f in ACTION_FORMS[action].base_fields.items() if k != "version"}
    model = body_model(action)
    api_fields = {k: f for k, f in model.model_fields.items() if k != "version"}
    per_issue = {
        k for k, s in declared.items() if s.kind == inputs.ISSUE_MAP
    }  # made per complaint on the page

    assert list(api_fields) == list(declared)
    assert list(form_fields) == [k for k in declared if k not in per_issue]
    # the same required fields
    assert {k for k, f in form_fields.items() if f.required} == {
        k for k, f in api_fields.items() if f.is_required()
    }
    # the same length limits, and every text has one
    api_limits = _api_limits(model)
    for name, field in form_fields.items():
        assert getattr(field, "max_length", None) == api_limits[name], name
        if declared[name].kind in (inputs.TEXT, inputs.LINE):
            assert field.max_length == declared[name].limit <= inputs.TEXT_MAX
    # the same fixed choices
    for name, spec in declared.items():
        if spec.kind == inputs.CHOICE:
            page = {str(k) for k, _label in form_fields[name].choices if k != ""}
            assert page == _literal_values(api_fields[name].annotation), name


def test_a_changed_declaration_changes_page_and_api_alike():
    spec = In(inputs.LINE, "编号", required=False, max_length=7)
    field = form_field(spec)
    annotation, info = _field(spec)
    assert field.max_length == 7 and not field.required
    assert annotation is str and info.metadata[0].max_length == 7 and not info.is_required()


@pytest.mark.parametrize(
    "limit, model, field",
    [
        (inputs.SUBJECT_MAX, Complaint, "subject"),
        (inputs.NAME_MAX, Complaint, "complainant_name"),
        (inputs.PHONE_MAX, Complaint, "complainant_phone"),
        (inputs.ADDRESS_MAX, Complaint, "complainant_address"),
        (inputs.ADDRESS_MAX, Complaint, "location"),
        (inputs.EMAIL_MAX, Complaint, "complainant_email"),
        (inputs.REF_MAX, Complaint, "forwarder_ref"),
        (inputs.PAUSE_REASON_MAX, Complaint, "pause_reason"),
        (inputs.ISSUE_MAX, ComplaintIssue, "summary"),
        (inputs.NAME_MAX, CoSigner, "name"),
        (inputs.NAME_MAX, CoSigner, "room"),
        (inputs.PHONE_MAX, CoSigner, "phone"),
        (inputs.REF_MAX, DeveloperForward, "their_ref"),
    ],
)
def test_limits_agree_with_the_model(limit, model, field):
    assert model._meta.get_field(field).max_length == limit


def test_the_pause_reason_and_their_ref_inputs_use_the_model_limits():
    assert (
        ACTION_INPUTS["clock_pause"]["reason"].limit == Complaint._meta.get_field("pause_reason").max_length
    )
    assert (
        ACTION_INPUTS["developer_answer_record"]["their_ref"].limit
        == DeveloperForward._meta.get_field("their_ref").max_length
    )


# --- the page and the API refuse alike -----------------------------------------------------------


def _page_note(client, org, c, text):
    client.force_login(org.a.users["reception"])
    return client.post(
        reverse("complaints:action", args=[c.id, "note_add"]), {"version": c.version, "text": text}
    )


def _form_errors(response, field):
    return [(e.code, e.message % (e.params or {})) for e in response.context["form"].errors.as_data()[field]]


def _api_note(make_key, c, text):
    _key, token = make_key()
    return Api(token).post(f"/complaints/{c.id}/actions/note_add", {"version": c.version, "text": text})


@pytest.mark.parametrize(
    "text, code, message",
    [
        ("长" * (inputs.TEXT_MAX + 1), "max_length", "不能超过 20000 个字符（现有 20001 个）。"),
        ("备注\x00", "null_characters_not_allowed", "不能包含空字符（NUL）。"),
    ],
)
def test_page_and_api_refuse_the_same_note_with_the_same_code_and_message(
    client, org, complaint_factory, make_key, settings, text, code, message
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000_000
    c = complaint_factory()
    page = _page_note(client, org, c, text)
    assert page.status_code == 422
    assert _form_errors(page, "text") == [(code, message)]
    html = page.content.decode()
    assert message in html and "不允许是用空字符串" not in html

    api = _api_note(make_key, c, text)
    assert api.status_code == 422 and api.json()["code"] == "validation"
    assert [(f["field"], f["type"], f["message"]) for f in api.json()["fields"]] == [("text", code, message)]
    assert c.events.count() == 1  # nothing recorded by either


def test_the_longest_note_passes_on_both(client, org, complaint_factory, make_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000_000
    c = complaint_factory()
    assert _page_note(client, org, c, "长" * inputs.TEXT_MAX).status_code == 302
    c.refresh_from_db()
    assert _api_note(make_key, c, "长" * inputs.TEXT_MAX).status_code == 200


def _intake_page(client, org, **over):
    data = {
        "office": org.a.office.id,
        "kind": "complaint",
        "channel": "office",
        "method": "phone",
        "complainant_phone": "13900001111",
        "complainant_name": "李",
        "people_count": 1,
        "subject": "楼道灯不亮",
        "description": "3单元楼道灯一周未修",
    }
    data.update(over)
    client.force_login(org.a.users["reception"])
    return client.post(reverse("complaints:new"), data)


def _intake_api(make_key, org, **over):
    body = {
        "office_id": org.a.office.id,
        "channel": "office",
        "method": "phone",
        "subject": "楼道灯不亮",
        "description": "3单元楼道灯一周未修",
        "complainant_name": "李",
        "complainant_phone": "13900001111",
    }
    body.update(over)
    _key, token = make_key()
    return Api(token).post("/complaints", body)


@pytest.mark.parametrize(
    "field, page_value, api_value, limit",
    [
        ("description", "长" * 20001, "长" * 20001, 20000),
        ("demand", "长" * 20001, "长" * 20001, 20000),
        ("subject", "长" * 201, "长" * 201, 200),
    ],
)
def test_intake_page_and_api_share_the_limits(
    client, org, make_key, settings, field, page_value, api_value, limit
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000_000
    message = inputs.message("max_length", limit_value=limit, show_value=limit + 1)
    page = _intake_page(client, org, **{field: page_value})
    assert page.status_code == 422 and _form_errors(page, field) == [("max_length", message)]
    api = _intake_api(make_key, org, **{field: api_value})
    assert api.status_code == 422
    assert [(f["field"], f["type"], f["message"]) for f in api.json()["fields"]] == [
        (field, "max_length", message)
    ]
    assert not Complaint.objects.exists()


def test_intake_issue_lines_have_the_api_limit_on_the_page(client, org, make_key):
    page = _intake_page(client, org, issues="短的问题\n" + "长" * 501)
    assert page.status_code == 422
    assert _form_errors(page, "issues")[0][0] == "max_length"
    api = _intake_api(make_key, org, issues=[{"summary": "短的问题"}, {"summary": "长" * 501}])
    assert api.status_code == 422 and api.json()["fields"][0]["type"] == "max_length"
    assert api.json()["fields"][0]["field"] == "issues.1.summary"
    assert not Complaint.objects.exists()


def test_intake_page_nul_byte_has_a_correct_chinese_message(client, org):
    page = _intake_page(client, org, description="楼道\x00灯")
    assert page.status_code == 422
    assert _form_errors(page, "description") == [("null_characters_not_allowed", "不能包含空字符（NUL）。")]
    assert "不允许是用空字符串" not in page.content.decode()


# --- the API speaks Chinese with stable codes, never pydantic's English -------------------------------


@pytest.mark.parametrize(
    "body, field, code, message",
    [
        ({"text": "x"}, "version", "required", "这个字段是必填项。"),
        ({"version": "x", "text": "x"}, "version", "invalid", "请输入整数。"),
        ({"version": 1, "text": 5}, "text", "invalid", "请输入文本。"),
        ({"version": 1, "text": "x", "extra": 1}, "extra", "unknown_field", "不认识的字段。"),
        ({"version": 0, "text": "x"}, "version", "min_value", "不能小于 1。"),
    ],
)
def test_api_type_errors_are_chinese_with_stable_codes(
    org, complaint_factory, make_key, body, field, code, message
):
    c = complaint_factory()
    _key, token = make_key()
    r = Api(token).post(f"/complaints/{c.id}/actions/note_add", body)
    assert r.status_code == 422 and r.json()["code"] == "validation"
    assert [(f["field"], f["type"], f["message"]) for f in r.json()["fields"]] == [(field, code, message)]
    assert "Input should" not in r.content.decode() and "Field required" not in r.content.decode()
    assert r.json()["message"] == f"输入有误：{field}: {message}"


@pytest.mark.parametrize(
    "action, body, field, code",
    [
        (
            "follow_up_record",
            {
                "method": "fax",
                "satisfaction": 5,
                "process_rating": "satisfied",
                "measures_rating": "satisfied",
                "result_rating": "satisfied",
            },
            "method",
            "invalid_choice",
        ),
        ("issue_verify", {"issue_id": 1, "passed": "maybe", "note": "x"}, "passed", "invalid"),
        ("clock_pause", {"reason": "x", "resume_on": "tomorrow"}, "resume_on", "invalid"),
        (
            "clock_pause",
            {"reason": "x", "resume_on": "1900-01-01T00:00:00Z"},
            "resume_on",
            "datetime_out_of_range",
        ),
        ("compensation_claim_record", {"amount": "0", "description": "x"}, "amount", "min_value"),
        (
            "compensation_decide",
            {"claim_id": 1, "approve": True, "note": "x", "approved_amount": "1.234"},
            "approved_amount",
            "max_decimal_places",
        ),
    ],
)
def test_api_problems_of_every_kind_are_chinese(org, complaint_factory, make_key, action, body, field, code):
    c = complaint_factory()
    _key, token = make_key()
    r = Api(token).post(f"/complaints/{c.id}/actions/{action}", {"version": c.version, **body})
    assert r.status_code == 422, r.json()
    problems = {f["field"]: f for f in r.json()["fields"]}
    assert problems[field]["type"] == code
    assert all(not f["message"].isascii() for f in r.json()["fields"]), r.json()


def test_the_form_marks_its_version_and_ids_in_chinese_too(client, org, complaint_factory):
    c = complaint_factory()
    client.force_login(org.a.users["reception"])
    r = client.post(
        reverse("complaints:action", args=[c.id, "assign"]), {"version": c.version, "department_id": 999999}
    )
    assert r.status_code == 422
    assert _form_errors(r, "department_id")[0][0] == "invalid_choice"
    assert "请选择有效的选项" in r.content.decode()


def test_the_messages_have_english_too(org, complaint_factory, make_key):
    c = complaint_factory()
    _key, token = make_key()
    r = Api(token, **{"Accept-Language": "en"}).post(
        f"/complaints/{c.id}/actions/note_add", {"version": "x", "text": "备注\x00"}
    )
    messages = {f["field"]: (f["type"], f["message"]) for f in r.json()["fields"]}
    assert messages == {
        "version": ("invalid", "Enter a whole number."),
        "text": ("null_characters_not_allowed", "Must not contain null characters (NUL)."),
    }


def test_front_desk_forms_written_by_hand_use_the_same_messages(org):
    from docket.complaints.intake_forms import BoxOpeningForm, ReconciliationForm
    from docket.org.models import Office

    box = BoxOpeningForm(
        {"office": org.a.office.id, "opened_at": "2026-12-04T09:00", "letters": 1, "note": "信\x00件"},
        offices=Office.objects.all(),
    )
    recon = ReconciliationForm({"note": "长" * (inputs.TEXT_MAX + 1)})
    assert not box.is_valid() and box.errors["note"] == ["不能包含空字符（NUL）。"]
    assert not recon.is_valid() and recon.errors["note"] == ["不能超过 20000 个字符（现有 20001 个）。"]
