"""One form per workflow action (the staff workbench). A form only parses input; `call()` hands the
cleaned values to the action's one service (ARCHITECTURE.md: interfaces call services). Field names
are the service's keyword arguments.

The fields are not written here: each form names its `action`, and its fields are made from that
action's declaration in `services.inputs.ACTION_INPUTS` — the same declaration the API's request body
is made from (`api.schemas.actions`), so the page and the API take the same fields with the same limits.
What stays here is what only a page needs: the choices that depend on the complaint and the user, and
how the cleaned values map onto the service's arguments."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.forms import DeclarativeFieldsMetaclass
from django.utils.translation import gettext_lazy as _

from docket.accounts.models import Role
from docket.org.models import Department, ExternalParty

from . import access, services, workflow
from .models import CapaState, ClaimState, IssueState, Level, NcrState, Reply
from .services import inputs
from .services.handling import handover_departments
from .services.inputs import In
from .services.intake import departments_of


def error_messages() -> dict[str, Any]:
    """Our messages for the validation codes a form field can raise (one vocabulary with the API)."""
    return {code: inputs.MESSAGES[code] for code in inputs.FORM_MESSAGE_CODES}


def use_our_messages(form: forms.BaseForm) -> None:
    """Give every field of a form written by hand (not derived from a declaration) our messages."""
    for field in form.fields.values():
        field.error_messages.update(error_messages())


def _yes(value: str) -> bool:
    return value == "1"


def form_field(spec: In) -> forms.Field | None:
    """The Django form field of one declared input (None for an input the form shows its own way)."""
    common: dict[str, Any] = {
        "label": spec.label,
        "required": spec.required,
        "help_text": spec.help,
        "error_messages": error_messages(),
    }
    if spec.initial is not None:
        common["initial"] = spec.initial
    kind = spec.kind
    if kind == inputs.TEXT:
        return forms.CharField(
            max_length=spec.limit, widget=forms.Textarea(attrs={"rows": spec.rows}), **common
        )
    if kind == inputs.LINE:
        return forms.CharField(max_length=spec.limit, **common)
    if kind == inputs.REF:  # choices are filled per complaint and user in the form's setup()
        return forms.TypedChoiceField(coerce=int, empty_value=None if not spec.required else "", **common)
    if kind == inputs.CHOICE:
        widget = forms.RadioSelect if spec.radio else None
        if all(isinstance(k, int) for k, _label in spec.choices):
            choices = list(spec.choices) if spec.required else [("", "—"), *spec.choices]
            return forms.TypedChoiceField(
                coerce=int,
                choices=choices,
                empty_value=None if not spec.required else "",
                widget=widget,
                **common,
            )
        choices = list(spec.choices) if spec.required else [("", "—"), *spec.choices]
        return forms.ChoiceField(choices=choices, widget=widget, **common)
    if kind == inputs.YES_NO:
        return forms.TypedChoiceField(
            coerce=_yes,
            choices=[("1" if k else "0", label) for k, label in spec.choices],
            widget=forms.RadioSelect,
            **common,
        )
    if kind == inputs.CHECK:
        return forms.BooleanField(**common)
    if kind == inputs.DECIMAL:
        return forms.DecimalField(
            min_value=Decimal(spec.min_value) if spec.min_value is not None else None,
            max_digits=spec.max_digits,
            decimal_places=spec.decimal_places,
            **common,
        )
    if kind == inputs.DATETIME:
        return forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    if kind == inputs.FILE:
        return forms.FileField(**common)
    if kind == inputs.ISSUE_MAP:  # one choice per issue, made in AssignForm.setup()
        return None
    if kind == inputs.REFS:  # choices are filled per complaint in the form's setup() (seed3)
        return forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple, **common)
    raise ValueError(f"unknown input kind {kind!r}")  # pragma: no cover


class ActionFormMetaclass(DeclarativeFieldsMetaclass):
    """Adds the fields of the form's declared `action` (services.inputs.ACTION_INPUTS)."""

    def __new__(mcs, name, bases, attrs):
        action = attrs.get("action")
        if action:
            for field_name, spec in inputs.ACTION_INPUTS[action].items():
                field = form_field(spec)
                if field is not None:
                    attrs[field_name] = field
        return super().__new__(mcs, name, bases, attrs)


class ActionForm(forms.Form, metaclass=ActionFormMetaclass):
    """Base: carries the version the user saw (optimistic concurrency) and calls the service."""

    action = ""  # the workflow action; its fields come from services.inputs.ACTION_INPUTS
    service: Callable[..., Any] | None = None  # set by subclasses
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=error_messages())

    def __init__(self, *args, complaint, user, **kwargs):
        self.complaint, self.user = complaint, user
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", complaint.version)
        super().__init__(*args, **kwargs)
        self.setup()

    def setup(self) -> None:
        """Fill choices that depend on the complaint or the user."""

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data

    def call(self):
        service = type(self).service
        assert service is not None, f"{type(self).__name__} names no service"
        return service(
            actor=self.user,
            complaint_id=self.complaint.id,
            expected_version=self.cleaned_data["version"],
            **self.service_kwargs(),
        )


def suggested_department(complaint, depts: list[Department]) -> Department | None:
    """The department that usually handles the complaint's first categorised issue (the triage rules' map
    of category → department kind), the office's own before the company's; None when unknown."""
    from docket.triage.rules import DEPT_OF_PATH

    issue = next(
        (i for i in complaint.issues.select_related("category__parent").order_by("seq") if i.category_id),
        None,
    )
    kind = DEPT_OF_PATH.get(str(issue.category)) if issue is not None and issue.category else None
    if not kind:
        return None
    matches = sorted((d for d in depts if d.kind == kind), key=lambda d: d.office_id is None)
    return matches[0] if matches else None


def people_filter_attrs(complaint) -> dict[str, str]:
    """The department select's attributes that fetch the people of the department chosen into the
    responsible select (`complaints:people`); the complaint's level decides who may be named
    (access.responsible_assignments)."""
    from django.urls import reverse

    return {
        "hx-get": reverse("complaints:people"),
        "hx-vals": json.dumps({"complaint": complaint.id}),
        "hx-target": "#id_responsible_id",
        "hx-trigger": "change",
        "hx-swap": "innerHTML",
    }


def people_choices(dept: Department | None, level: str) -> list[tuple[Any, Any]]:
    """Who may be named responsible in the chosen department for a complaint at `level`: exactly the people
    the hand-over services accept (`access.responsible_assignments`, the one rule) — the department's own
    first, then the company's roles it admits — and nobody until a department is chosen."""
    if dept is None:
        return [("", _("— 先选择部门 —"))]
    people = sorted(
        access.responsible_assignments(dept, level)
        .select_related("user")
        .order_by("user__display_name", "user_id", "id"),
        key=lambda a: a.department_id is None,
    )
    return [("", "—"), *person_choices(people)]


def person_choices(assignments) -> list[tuple[Any, Any]]:
    """One choice per person of `assignments` (role assignments with their users, in the order given): the
    user's id, shown with the role of their first assignment — 王经理（管理处经理）."""
    seen: set[int] = set()
    out: list[tuple[Any, Any]] = []
    for a in assignments:
        if a.user_id not in seen:
            seen.add(a.user_id)
            out.append((a.user_id, f"{a.user}（{a.get_role_display()}）"))
    return out


def chosen_department(depts: list[Department], value: Any) -> Department | None:
    """The department of `depts` whose id is the submitted `value` (None when none is)."""
    return next((d for d in depts if value and str(d.id) == str(value)), None)


class IssueChoiceMixin(ActionForm):
    """Per-issue actions: the issues this user may act on now, in the right state."""

    issue_states: tuple[str, ...] = ()
    waiting_states: tuple[str, ...] = (IssueState.OPEN, IssueState.REWORK)  # issues this step is still owed

    def setup(self):
        issues = [
            i
            for i in self.complaint.issues.select_related("department").order_by("seq")
            if (not self.issue_states or i.state in self.issue_states)
            and access.allowed_role(self.user, self.complaint, self.action, issue=i)
        ]
        self.fields["issue_id"].choices = [(i.id, f"{i.seq}. {i.summary}") for i in issues]
        # The first issue still waiting for this step is chosen already (issue 14: one click fewer per issue).
        waiting = next((i for i in issues if i.state in self.waiting_states), None)
        if waiting is not None and not self.is_bound:
            self.initial["issue_id"] = waiting.id


class CloseOnSpotForm(ActionForm):
    action = "close_on_spot"
    service = services.complaint_close_on_spot


class AssignForm(ActionForm):
    action = "assign"
    service: Callable[..., Any] | None = services.complaint_assign

    def setup(self):

        all_depts = list(handover_departments(self.complaint).order_by("office_id", "id"))
        # Only departments where someone could take 接单 (the service refuses the others); an issue may still
        # go to any of the complaint's hand-over departments (the lead department's people act on it).
        depts = access.receiving_departments(all_depts, self.complaint.level)
        suggested = suggested_department(self.complaint, depts)
        # No default: the department is a required choice (a wrong default sent complaints to QM unseen);
        # the category's usual department is marked, not chosen.
        by_category = _("（按分类建议）")
        self.fields["department_id"].choices = [("", _("— 请选择部门 —"))] + [
            (d.id, f"{d}{by_category if d == suggested else ''}") for d in depts
        ]
        if suggested is not None:
            self.fields["department_id"].help_text = _("按问题分类建议：%(d)s") % {"d": suggested}
        self.fields["department_id"].widget.attrs.update(people_filter_attrs(self.complaint))
        chosen = self.data.get("department_id") if self.is_bound else None
        self.fields["responsible_id"].choices = people_choices(
            chosen_department(depts, chosen), self.complaint.level
        )
        for issue in self.complaint.issues.order_by("seq"):
            self.fields[f"issue_{issue.id}"] = forms.TypedChoiceField(
                label=_("问题 %(n)s 的责任部门") % {"n": issue.seq} + f"：{issue.summary[:30]}",
                coerce=int,
                required=False,
                empty_value=None,
                choices=[("", _("同上"))] + [(d.id, str(d)) for d in all_depts],
                error_messages=error_messages(),
            )

    def service_kwargs(self):
        data = self.cleaned_data
        mapping = {int(k.split("_")[1]): v for k, v in data.items() if k.startswith("issue_") and v}
        return {
            "department_id": data["department_id"],
            "responsible_id": data["responsible_id"],
            "issue_departments": mapping,
        }


class SecondReviewDecideForm(ActionForm):
    """The second-stage review's decision (R-EXP-10). Reopening hands the complaint to a department: the
    choice is offered as 派单 offers it (no default, the category's usual department marked); a complaint no
    department holds (closed on the spot) must be given one — the service refuses it otherwise
    (`review_department_required`), so the page and the API say the same."""

    action = "second_review_decide"
    service = services.second_review_decide

    def setup(self):
        # Reopened, it waits for the department's people as after 派单: only where someone could take it.
        depts = access.receiving_departments(
            handover_departments(self.complaint).order_by("office_id", "id"), self.complaint.level
        )
        suggested = suggested_department(self.complaint, depts)
        by_category = _("（按分类建议）")
        field = self.fields["department_id"]
        field.choices = [("", _("— 请选择部门 —"))] + [
            (d.id, f"{d}{by_category if d == suggested else ''}") for d in depts
        ]
        holder = self.complaint.holder_department
        if holder is None:
            field.label = _("重新处理的责任部门（重新处理时必选）")
            help_text = _("该投诉没有责任部门（如现场处理完毕），重新处理须选择由哪个部门处理。")
        else:
            help_text = _("不选则仍由%(d)s处理；选择其他部门则改由该部门处理。") % {"d": holder}
        if suggested is not None:
            hint = _("按问题分类建议：%(d)s") % {"d": suggested}
            help_text = f"{help_text}{hint}"
        field.help_text = help_text


class AcceptForm(ActionForm):
    action = "accept"
    service = services.complaint_accept


class OfficeCallForm(ActionForm):
    """The QM information officer's call to the office about an online complaint (seed 5.2.3.3.1): the person
    phoned is one of the complaint's office (`access.office_call_people`, the service's rule), its manager
    first and chosen already (the seed's first choice: 管理处经理)."""

    action = "office_call_record"
    service = services.office_call_record

    def setup(self):
        people = list(access.office_call_people(self.complaint))
        manager = next((a.user_id for a in people if a.role == Role.OFFICE_MANAGER), None)
        self.fields["callee_id"].choices = [("", _("— 请选择 —")), *person_choices(people)]
        if manager is not None and not self.is_bound:
            self.initial["callee_id"] = manager


class TransferForm(AssignForm):
    action = "transfer"
    service = services.complaint_transfer

    def setup(self):
        super().setup()
        for name in [n for n in self.fields if n.startswith("issue_")]:
            del self.fields[name]

    def service_kwargs(self):
        d = self.cleaned_data
        return {
            "department_id": d["department_id"],
            "responsible_id": d["responsible_id"],
            "reason": d["reason"],
        }


class RefuseForm(ActionForm):
    action = "refuse"
    service = services.complaint_refuse


class FindingsForm(IssueChoiceMixin):
    action = "issue_findings_record"
    service = services.issue_findings_record
    issue_states = tuple(workflow.issue_sources("issue_findings_record"))  # the service refuses the others


class DeveloperForwardForm(ActionForm):
    action = "forward_to_developer"
    service = services.developer_forward

    def setup(self):
        self.fields["party_id"].choices = [
            (p.id, p.name)
            for p in ExternalParty.objects.filter(
                kind=ExternalParty.Kind.DEVELOPER, group_id=self.complaint.company.group_id
            )
        ]


class DeveloperAnswerForm(ActionForm):
    action = "developer_answer_record"
    service = services.developer_answer_record


class ExplanationForm(ActionForm):
    action = "explanation_record"
    service = services.explanation_record


class ReplyDraftForm(ActionForm):
    action = "reply_draft_save"
    service = services.reply_draft_save

    def setup(self):
        reply = Reply.objects.filter(complaint=self.complaint).order_by("-number").first()
        if reply is not None and reply.state != "sent" and not self.is_bound:
            self.fields["body"].initial = reply.body
        elif not self.is_bound:  # seed3: the final reply covers every issue, pre-filled with their answers
            from .services.issue_answers import final_reply_prefill

            self.fields["body"].initial = final_reply_prefill(self.complaint)


class ReplySubmitForm(ActionForm):
    action = "reply_submit"
    service = services.reply_submit


class ReplySendForm(ActionForm):
    action = "reply_send"
    service = services.reply_send


class ReviewApproveForm(ActionForm):
    action = "reply_review_approve"
    service = services.reply_review_approve


class ReviewReturnForm(ActionForm):
    action = "reply_review_return"
    service = services.reply_review_return


class AgreeForm(ActionForm):
    action = "complainant_agree"
    service = services.complainant_agree


class DisagreeForm(ActionForm):
    action = "complainant_disagree"
    service = services.complainant_disagree


class NegotiationForm(ActionForm):
    action = "negotiation_round_record"
    service = services.negotiation_round_record


class MeasuresDoneForm(ActionForm):
    action = "measures_done"
    service = services.measures_done


class VerifyForm(IssueChoiceMixin):
    action = "issue_verify"
    service = services.issue_verify
    issue_states = tuple(workflow.issue_sources("issue_verify"))  # measures done
    waiting_states = (IssueState.MEASURES_DONE,)


class FollowUpForm(ActionForm):
    action = "follow_up_record"
    service = services.follow_up_record


class FollowUpAttemptForm(ActionForm):
    action = "follow_up_attempt"
    service = services.follow_up_attempt_record


class FollowUpExemptForm(ActionForm):
    action = "follow_up_exempt"
    service = services.follow_up_exempt


class EscalateForm(ActionForm):
    action = "escalate_to_qm"
    service = services.complaint_escalate


class UnclosedForm(ActionForm):
    action = "close_unclosed"
    service = services.complaint_close_unclosed


class WithdrawForm(ActionForm):
    action = "withdraw"
    service = services.complaint_withdraw


class AcknowledgeForm(ActionForm):
    action = "acknowledge_send"
    service = services.acknowledge_send


class PauseForm(ActionForm):
    action = "clock_pause"
    service = services.clock_pause


class ResumeForm(ActionForm):
    action = "clock_resume"
    service = services.clock_resume


class ForwarderReplyForm(ActionForm):
    action = "forwarder_reply_record"
    service = services.forwarder_reply_record


class SeverityForm(ActionForm):
    action = "severity_raise"
    service = services.severity_raise


class GroupReportForm(ActionForm):
    action = "group_report_record"
    service = services.group_report_record


class NcrForm(ActionForm):
    action = "ncr_issue"
    service = services.ncr_issue


class ClaimForm(ActionForm):
    action = "compensation_claim_record"
    service = services.compensation_claim_record


class ClaimChoiceMixin(ActionForm):
    def setup(self):
        claims = self.complaint.claims.filter(state=ClaimState.PENDING).order_by("id")
        self.fields["claim_id"].choices = [(c.id, f"¥{c.amount} {c.description[:30]}") for c in claims]


class ClaimDecideForm(ClaimChoiceMixin):
    action = "compensation_decide"
    service = services.compensation_decide


class ClaimEscalateForm(ClaimChoiceMixin):
    action = "compensation_escalate"
    service = services.compensation_escalate


class ChaseForm(ActionForm):
    action = "chase_record"
    service = services.chase_record


class NoteForm(ActionForm):
    action = "note_add"
    service = services.note_add


class AttachmentForm(ActionForm):
    action = "attachment_add"
    service = services.attachment_add

    def setup(self):
        self.fields["issue_id"].choices = [("", "—")] + [
            (i.id, f"{i.seq}. {i.summary[:40]}") for i in self.complaint.issues.order_by("seq")
        ]

    def service_kwargs(self):
        f = self.cleaned_data["file"]
        return {
            "upload": services.UploadInput(name=f.name, content=f.read()),
            "issue_id": self.cleaned_data["issue_id"],
        }


# --- seed part 2 (issue 15) ----------------------------------------------------------------------------


class ClaimOutcomeForm(ActionForm):
    action = "compensation_outcome_record"
    service = services.compensation_outcome_record

    def setup(self):
        claims = self.complaint.claims.filter(state=ClaimState.ESCALATED).order_by("id")
        self.fields["claim_id"].choices = [(c.id, _claim_label(c)) for c in claims]


def _claim_label(c) -> str:
    if c.home_return:
        home_return = _("退房/换房")
        return f"{home_return} {c.description[:30]}"
    return f"¥{c.amount} {c.description[:30]}"


def _ncr_choices(complaint, state: str):
    return [
        (n.id, f"#{n.id} {n.nonconformity[:40]}") for n in complaint.ncrs.filter(state=state).order_by("id")
    ]


def _capa_choices(complaint, state: str):
    return [
        (a.id, f"#{a.id} {a.get_kind_display()}：{a.description[:40]}（{a.department.name}）")
        for a in complaint.capas.filter(state=state).select_related("department").order_by("id")
    ]


class NcrDraftForm(ActionForm):
    action = "ncr_draft"
    service = services.ncr_draft

    def setup(self):
        depts = list(departments_of(self.complaint).order_by("office_id", "id"))
        self.fields["department_id"].choices = [(d.id, str(d)) for d in depts]
        if self.complaint.holder_department_id:
            self.fields["department_id"].initial = self.complaint.holder_department_id


class NcrSignForm(ActionForm):
    action = "ncr_sign"
    service = services.ncr_sign

    def setup(self):
        self.fields["ncr_id"].choices = _ncr_choices(self.complaint, NcrState.DRAFT)


class CapaAssignForm(ActionForm):
    action = "capa_assign"
    service = services.capa_assign

    def setup(self):

        self.fields["ncr_id"].choices = _ncr_choices(self.complaint, NcrState.SIGNED)
        depts = list(departments_of(self.complaint).order_by("office_id", "id"))
        self.fields["department_id"].choices = [(d.id, str(d)) for d in depts]
        # The people the service accepts in the department shown (the first until another is chosen), as
        # 派单 offers them: `capa_assign` names its person by the same rule.
        self.fields["department_id"].widget.attrs.update(people_filter_attrs(self.complaint))
        chosen = self.data.get("department_id") if self.is_bound else None
        dept = chosen_department(depts, chosen) if chosen else (depts[0] if depts else None)
        self.fields["responsible_id"].choices = people_choices(dept, self.complaint.level)


class CapaDoneForm(ActionForm):
    action = "capa_done"
    service = services.capa_done

    def setup(self):
        self.fields["capa_id"].choices = _capa_choices(self.complaint, CapaState.OPEN)


class CapaVerifyForm(ActionForm):
    action = "capa_verify"
    service = services.capa_verify

    def setup(self):
        self.fields["capa_id"].choices = _capa_choices(self.complaint, CapaState.DONE)


class NcrCloseForm(ActionForm):
    action = "ncr_close"
    service = services.ncr_close

    def setup(self):
        self.fields["ncr_id"].choices = _ncr_choices(self.complaint, NcrState.SIGNED)


# --- seed3 (issue 15, R-INT-5): per-issue answers and forwards -------------------------------------------


def _issue_label(i) -> str:
    return f"{_('问题')}{i.seq}：{i.summary[:40]}（{i.get_state_display()}）"


class IssueAnswerSubmitForm(ActionForm):
    action = "issue_answer_submit"
    service = services.issue_answer_submit

    def setup(self):
        from .services.issue_answers import ANSWERABLE

        issues = self.complaint.issues.filter(state__in=ANSWERABLE).order_by("seq")
        self.fields["issue_ids"].choices = [(i.id, _issue_label(i)) for i in issues]


def _answer_choices(complaint, state: str):
    answers = complaint.issue_answers.filter(state=state).prefetch_related("issues").order_by("number")
    out = []
    for a in answers:
        seqs = "、".join(f"{_('问题')}{i.seq}" for i in sorted(a.issues.all(), key=lambda i: i.seq))
        out.append((a.id, f"#{a.number} {seqs}：{a.body[:40]}"))
    return out


class IssueAnswerReviewForm(ActionForm):
    action = "issue_answer_review"
    service = services.issue_answer_review

    def setup(self):
        self.fields["answer_id"].choices = _answer_choices(self.complaint, "in_review")


class IssueAnswerSendForm(ActionForm):
    action = "issue_answer_send"
    service = services.issue_answer_send

    def setup(self):
        self.fields["answer_id"].choices = _answer_choices(self.complaint, "approved")


class IssueForwardForm(ActionForm):
    action = "issue_forward_to_developer"
    service = services.issue_forward_to_developer

    def setup(self):
        issues = self.complaint.issues.filter(
            state__in=list(workflow.issue_sources("issue_forward_to_developer"))
        ).order_by("seq")
        self.fields["issue_id"].choices = [(i.id, _issue_label(i)) for i in issues]
        self.fields["party_id"].choices = [
            (p.id, p.name)
            for p in ExternalParty.objects.filter(
                kind=ExternalParty.Kind.DEVELOPER, group_id=self.complaint.company.group_id
            )
        ]


class IssueDeveloperAnswerForm(ActionForm):
    action = "issue_developer_answer_record"
    service = services.issue_developer_answer_record

    def setup(self):
        forwards = self.complaint.developer_forwards.filter(
            issue__isnull=False, answered_at__isnull=True
        ).select_related("issue", "party")
        self.fields["forward_id"].choices = [
            (f.id, f"{_('问题')}{f.issue.seq}：{f.issue.summary[:40]}（{f.party.name}）") for f in forwards
        ]


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "close_on_spot": CloseOnSpotForm,
    "assign": AssignForm,
    "accept": AcceptForm,
    "office_call_record": OfficeCallForm,
    "transfer": TransferForm,
    "refuse": RefuseForm,
    "issue_findings_record": FindingsForm,
    "forward_to_developer": DeveloperForwardForm,
    "developer_answer_record": DeveloperAnswerForm,
    "explanation_record": ExplanationForm,
    "reply_draft_save": ReplyDraftForm,
    "reply_submit": ReplySubmitForm,
    "reply_review_approve": ReviewApproveForm,
    "reply_review_return": ReviewReturnForm,
    "reply_send": ReplySendForm,
    "complainant_agree": AgreeForm,
    "complainant_disagree": DisagreeForm,
    "negotiation_round_record": NegotiationForm,
    "measures_done": MeasuresDoneForm,
    "issue_verify": VerifyForm,
    "follow_up_record": FollowUpForm,
    "follow_up_attempt": FollowUpAttemptForm,
    "follow_up_exempt": FollowUpExemptForm,
    "escalate_to_qm": EscalateForm,
    "close_unclosed": UnclosedForm,
    "withdraw": WithdrawForm,
    "acknowledge_send": AcknowledgeForm,
    "clock_pause": PauseForm,
    "clock_resume": ResumeForm,
    "forwarder_reply_record": ForwarderReplyForm,
    "severity_raise": SeverityForm,
    "group_report_record": GroupReportForm,
    "ncr_issue": NcrForm,
    "compensation_claim_record": ClaimForm,
    "compensation_decide": ClaimDecideForm,
    "compensation_escalate": ClaimEscalateForm,
    "note_add": NoteForm,
    "chase_record": ChaseForm,
    "attachment_add": AttachmentForm,
    "second_review_decide": SecondReviewDecideForm,
    # seed part 2 (issue 15)
    "compensation_outcome_record": ClaimOutcomeForm,
    "ncr_draft": NcrDraftForm,
    "ncr_sign": NcrSignForm,
    "capa_assign": CapaAssignForm,
    "capa_done": CapaDoneForm,
    "capa_verify": CapaVerifyForm,
    "ncr_close": NcrCloseForm,
    # seed3 (issue 15)
    "issue_answer_submit": IssueAnswerSubmitForm,
    "issue_answer_review": IssueAnswerReviewForm,
    "issue_answer_send": IssueAnswerSendForm,
    "issue_forward_to_developer": IssueForwardForm,
    "issue_developer_answer_record": IssueDeveloperAnswerForm,
}

# Actions whose form needs nothing beyond their declared inputs name their service in the workflow row and
# get their form here: adding such an action is the workflow row, the service and its event kind.
for _name, _spec in workflow.ACTIONS.items():
    if _name not in ACTION_FORMS and _spec.service:
        ACTION_FORMS[_name] = type(
            f"{_name.title().replace('_', '')}Form",
            (ActionForm,),
            {"action": _name, "service": getattr(services, _spec.service), "__module__": __name__},
        )


# --- bulk hand-over (issue 14) ------------------------------------------------------------------------
class ComplaintIdsField(forms.Field):
    """The ticked complaints: a list of ids (whether each may be handed over is the service's to say)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return list(dict.fromkeys(int(v) for v in values))
        except (TypeError, ValueError):
            raise forms.ValidationError(inputs.MESSAGES["invalid_choice"], code="invalid_choice") from None


class BulkHandOverForm(forms.Form):
    """The bulk bar of the list and the queue: the chosen complaints (checkboxes `ids`), the department and
    person they go to, and the reason, which 转派 needs (a registered complaint is 派单 without one).
    Parsing only: `services.complaints_hand_over` checks each complaint on its own."""

    ids = ComplaintIdsField(label=_("选择的投诉"))
    department_id = forms.TypedChoiceField(label=_("派给部门"), coerce=int, empty_value=None)
    responsible_id = forms.TypedChoiceField(
        label=_("责任人（可选）"), coerce=int, required=False, empty_value=None
    )
    reason = forms.CharField(
        label=_("转派原因（已派出的投诉转派时必填）"),
        required=False,
        max_length=inputs.TEXT_MAX,
    )

    def __init__(self, *args, user, departments=None, **kwargs):
        from django.urls import reverse

        super().__init__(*args, **kwargs)
        use_our_messages(self)
        self.fields["ids"].error_messages["required"] = _("请先勾选要派单的投诉。")
        depts = list(bulk_departments(user) if departments is None else departments)
        self.fields["department_id"].choices = [("", _("— 请选择部门 —"))] + [(d.id, str(d)) for d in depts]
        self.fields["department_id"].widget.attrs.update(
            {
                "hx-get": reverse("complaints:people"),
                "hx-target": "#id_bulk-responsible_id",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
            }
        )
        chosen = self.data.get(self.add_prefix("department_id")) if self.is_bound else None
        # Complaints of either level: those named at office level, whom every level admits (bulk.py checks
        # each complaint again).
        self.fields["responsible_id"].choices = people_choices(chosen_department(depts, chosen), Level.OFFICE)


def bulk_departments(user):
    """The departments the bulk bar offers: those of the offices (and companies) in the user's scope."""
    from django.db.models import Q

    offices = list(access.offices_in_scope(user))
    company_ids = {o.company_id for o in offices}
    return (
        Department.objects.filter(company_id__in=company_ids)
        .filter(Q(office__isnull=True) | Q(office_id__in=[o.id for o in offices]))
        .select_related("office", "company")
        .order_by("office_id", "name")
    )
