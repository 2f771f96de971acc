"""The workbench forms (and so the API bodies) of escalation's actions: their fields are declared in
`complaints.services.inputs.ACTION_INPUTS`, like every action's; registered in `complaints.forms.ACTION_FORMS`
by this app's `ready()` (the complaint domain does not import this app)."""

from __future__ import annotations

from docket.complaints.forms import ACTION_FORMS, ActionForm
from docket.complaints.services import CoSignerInput

from . import services

SERVICES = {
    "risk_facts_record": services.risk_facts_record,
    "fault_record": services.fault_record,
    "major_incident_record": services.major_incident_record,
    "authority_report_record": services.authority_report_record,
    "closing_report_record": services.closing_report_record,
}


def parse_cosigners(text: str) -> list[CoSignerInput]:
    """One co-signer per line: name, then room and phone if given (separated by spaces or commas)."""
    out = []
    for line in (text or "").splitlines():
        parts = line.replace("，", " ").replace(",", " ").split()
        if parts:
            out.append(
                CoSignerInput(
                    name=parts[0], room=parts[1] if len(parts) > 1 else "", phone=" ".join(parts[2:])
                )
            )
    return out


class RiskFactsForm(ActionForm):
    action = "risk_facts_record"
    service = services.risk_facts_record

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        fact = data.pop("fact", "") or ""
        people = data.pop("people_count", None)
        kwargs = {
            "reason": data["reason"],
            "people_count": int(people) if people is not None else None,
            "cosigners": parse_cosigners(data.pop("cosigners", "")),
        }
        if fact:
            kwargs[fact] = True
        return kwargs


def register() -> None:
    ACTION_FORMS.setdefault("risk_facts_record", RiskFactsForm)
    for name, fn in SERVICES.items():
        if name not in ACTION_FORMS:
            ACTION_FORMS[name] = type(
                f"{name.title().replace('_', '')}Form",
                (ActionForm,),
                {"action": name, "service": fn, "__module__": __name__},
            )
