"""Reply-time rules: the seed's defaults, per-company and per-office overrides, validation (R-SLA-2).

A rule is a small dict:
- {"type": "same_day"}: by the end of the working day it starts in, or — when it starts outside working
  time — the end of the working day on which work resumes;
- {"type": "working_days", "n": N}: by the end of the N-th working day after the day it starts in;
- {"type": "working_minutes", "n": M}: M minutes of working time;
- {"type": "clock_minutes", "n": M}: M minutes of ordinary clock time (4-hour courtesy reply, reports
  to the group), regardless of working hours.
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext_lazy as _

RULE_TYPES = ("same_day", "working_days", "working_minutes", "clock_minutes")

# Obligation kinds and what starts / ends them are documented on complaints.models.Obligation.
DEFAULT_RULES: dict[str, Any] = {
    # Seed 5.2.3.2 and 5.2.3.3: oral the same day; email and written within 2 working days (after review);
    # online: courtesy reply within 4 hours, concrete reply the same (working) day.
    "reply": {
        "phone": {"type": "same_day"},
        "visit": {"type": "same_day"},
        "email": {"type": "working_days", "n": 2},
        "letter": {"type": "working_days", "n": 2},
        "fax": {"type": "working_days", "n": 2},
        "online": {"type": "same_day"},
        "government_forward": {"type": "working_days", "n": 2},
        "developer_forward": {"type": "working_days", "n": 2},
    },
    "acknowledge": {"online": {"type": "clock_minutes", "n": 240}},
    # Not in the seed; what a well-run office promises itself. Configurable.
    "review": {"type": "working_minutes", "n": 240},
    "verify": {"type": "working_days", "n": 1},
    "follow_up": {"type": "working_days", "n": 2},
    # The seed's procedure (issue 15), defaults where the seed gives no figure (docs/decisions.md):
    # document 5 §4.3 "立即与用户联系": first contact within one working hour of the hand-over.
    "first_contact": {"type": "working_minutes", "n": 60},
    # 5.2.3.6: QM verifies what the office verified on site, within a working day like the office.
    "qm_verify": {"type": "working_days", "n": 1},
    # 5.2.5.2 "及时向顾客通报进展状况": an unclosed complaint's complainant hears of progress every two weeks.
    "progress_update": {"type": "working_days", "n": 10},
    # Documents 3/4 §3: leadership gives its handling opinion on what the office could not handle.
    "leadership_opinion": {"type": "working_days", "n": 1},
    # 5.2.3.9 / R-HDL-6: the developer's answer is followed up; reminders come from the overdue ladder.
    "developer_answer": {"type": "working_days", "n": 5},
    # R-ESC-1/2: hot within 4 hours; major "at once" (one hour).
    "report_group": {"hot": {"type": "clock_minutes", "n": 240}, "major": {"type": "clock_minutes", "n": 60}},
    # --- escalation (issue 12) ---
    # R-ESC-2: a major complaint's progress reports to the group, each due this long after the last report
    # (the obligation re-opens after every report while the complaint is open); configurable per company.
    "group_progress": {"major": {"type": "working_days", "n": 3}},
    # After closure: the hot complaint's case report, QM's special report on a major one (R-ESC-1/2).
    "case_report": {"hot": {"type": "working_days", "n": 5}},
    "special_report": {"major": {"type": "working_days", "n": 10}},
    # The city's 物业服务重大事件报告制度 (seed document 2): report to the district property authority.
    "authority_report": {"type": "clock_minutes", "n": 1440},
    # --- end escalation ---
    # The overdue ladder (R-SLA-3): warn the holder at this share of the time, then on breach the holder,
    # then after these many working minutes the holder's superior, then QM.
    # Periodic reports (R-SLA-4): department statistics on the 1st (the first working day counts as day 0),
    # the office's analysis and QM's analysis a few working days later; QM by quarter or half-year.
    "reports": {
        "dept_monthly_working_days": 0,
        "office_monthly_working_days": 5,
        "qm_working_days": 10,
        "qm_period": "quarter",
    },
    # portal answers (issue 11): a replied complaint the owner has not answered closes itself after these
    # many calendar days (R-EXP-3); the owner may ask for a second-stage review within these many days of
    # closure (R-EXP-10), which is decided within its own deadline.
    "auto_close_days": 7,
    "review_request_days": 30,
    "second_review": {"type": "working_days", "n": 5},
    # seed part 2 (issue 15); the seed gives no numbers: configurable defaults (docs/decisions.md).
    "claim_outcome": {"type": "working_days", "n": 10},  # an escalated claim's outcome (5.2.4.2)
    "ncr_sign": {"type": "working_days", "n": 1},  # the management representative signs (doc 5 §4.4)
    "capa": {"type": "working_days", "n": 10},  # a corrective/preventive action, unless given a date
    "warn_ratio": 0.75,
    "superior_after_minutes": 120,
    "qm_after_minutes": 480,
}

# Single-rule sections added by the seed's procedure (issue 15).
SEED_PROCEDURE_SECTIONS = (
    "first_contact",
    "qm_verify",
    "progress_update",
    "leadership_opinion",
    "developer_answer",
)

KIND_LABELS = {
    "acknowledge": _("礼节性回复"),
    "reply": _("答复"),
    "review": _("答复审核"),
    "verify": _("验证"),
    "follow_up": _("回访"),
    "report_group": _("报告集团"),
    "forwarder_reply": _("答复转交单位"),
    # escalation (issue 12)
    "group_progress": _("向集团报告进展"),
    "case_report": _("热点投诉案例报告"),
    "special_report": _("重大投诉专题报告"),
    "authority_report": _("报告区物业主管部门"),
    "first_contact": _("首次联系顾客"),
    "qm_verify": _("品质部验证"),
    "progress_update": _("向顾客通报进展"),
    "leadership_opinion": _("领导处理意见"),
    "developer_answer": _("地产答复"),
    "second_review": _("二次复核"),
    # seed part 2 (issue 15)
    "claim_outcome": _("索赔审批结果"),
    "ncr_sign": _("管理者代表签发报告"),
    "capa": _("纠正/预防措施"),
}


def merge(base: dict, override: dict) -> dict:
    """Deep merge: dicts merge key by key, anything else in `override` replaces."""
    out = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and "type" not in value:
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def validate_rule(rule: Any, where: str) -> None:
    if not isinstance(rule, dict) or rule.get("type") not in RULE_TYPES:
        raise ValueError(f"{where}: type must be one of {', '.join(RULE_TYPES)}")
    if rule["type"] != "same_day":
        n = rule.get("n")
        if not isinstance(n, int) or isinstance(n, bool) or n < 0 or n > 60 * 24 * 365:
            raise ValueError(f"{where}: n must be a non-negative whole number")
    extra = set(rule) - {"type", "n"}
    if extra:
        raise ValueError(f"{where}: unknown keys {sorted(extra)}")


def validate_rules(rules: dict) -> None:
    """Raise ValueError naming the first bad entry of a (merged) rule set."""
    for section in (
        "reply",
        "acknowledge",
        "report_group",
        "group_progress",
        "case_report",
        "special_report",
    ):
        for key, rule in rules.get(section, {}).items():
            validate_rule(rule, f"{section}.{key}")
    for section in (
        "review",
        "verify",
        "follow_up",
        "authority_report",
        "second_review",
        "claim_outcome",
        "ncr_sign",
        "capa",
        *SEED_PROCEDURE_SECTIONS,
    ):
        validate_rule(rules.get(section), section)
    for key in ("auto_close_days", "review_request_days"):  # portal answers (issue 11)
        value = rules.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 365:
            raise ValueError(f"{key} must be a whole number of days (1-365)")
    reports = rules.get("reports", {})
    for key in ("dept_monthly_working_days", "office_monthly_working_days", "qm_working_days"):
        if not isinstance(reports.get(key), int) or not 0 <= reports[key] <= 31:
            raise ValueError(f"reports.{key} must be a whole number of working days (0-31)")
    if reports.get("qm_period") not in ("quarter", "half_year"):
        raise ValueError("reports.qm_period must be quarter or half_year")
    ratio = rules.get("warn_ratio")
    if not isinstance(ratio, int | float) or not 0 < ratio < 1:
        raise ValueError("warn_ratio must be between 0 and 1")
    for key in ("superior_after_minutes", "qm_after_minutes"):
        if not isinstance(rules.get(key), int) or rules[key] < 0:
            raise ValueError(f"{key} must be a non-negative whole number")
    unknown = set(rules) - set(DEFAULT_RULES)
    if unknown:
        raise ValueError(f"unknown sections {sorted(unknown)}")


def rule_for(rules: dict, kind: str, key: str | None = None) -> dict | None:
    """The rule for an obligation kind (and method / severity where the kind has several), or None when
    the policy sets no such obligation (e.g. no courtesy reply for a phone complaint)."""
    section = rules.get(kind)
    if section is None:
        return None
    if "type" in section:
        return section
    return section.get(key) if key else None
