import functools
import re
from html import escape
from types import SimpleNamespace

from django import template
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_noop, ngettext, ngettext_lazy

from docket.core import choices, clock
from docket.core.templatetags.nav_urls import id_url

from .. import kinds

register = template.Library()


@functools.cache
def _value_labels():  # lazy labels: translated when shown, so one dict serves every language
    from django.utils.translation import gettext_lazy as _

    from docket.accounts.models import Role

    from ..models import (
        ClaimOutcome,
        ContactMethod,
        Exemption,
        FollowUpMethod,
        FollowUpRating,
        Method,
        ProjectPhase,
        QmDecision,
        ReviewStage,
        Severity,
        State,
        UnclosedOutcome,
    )

    yes_no = {True: _("是"), False: _("否")}
    return {
        "severity": dict(Severity.choices),
        "claim_outcome": dict(ClaimOutcome.choices),
        "state": dict(State.choices),
        "stage": dict(ReviewStage.choices),
        "exemption": dict(Exemption.choices),
        "method": dict(Method.choices),
        "visit_method": dict(FollowUpMethod.choices),
        # The seed's procedure (issue 15).
        "contact_method": dict(ContactMethod.choices),
        "decision": dict(QmDecision.choices),
        "process_rating": dict(FollowUpRating.choices),
        "measures_rating": dict(FollowUpRating.choices),
        "result_rating": dict(FollowUpRating.choices),
        "outcome": dict(UnclosedOutcome.choices),
        "project_phase": dict(ProjectPhase.choices),
        "apologised": yes_no,
        "automatic": yes_no,
        "nothing_to_verify": yes_no,
        "callee_role": dict(Role.choices),  # officer8: the role of whom the officer phoned
    }


# Payload fields holding a time (ISO text in the stored event), shown in local time: the contact's time, the
# officer's call to the office, and a deadline (`due_at`: the overdue and escalation events, a claim's outcome, a report's step).
_TIME_FIELDS = frozenset({"contacted_at", "called_at", "due_at"})


def _local_time(value) -> str:
    from datetime import datetime

    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return clock.to_local(at).strftime("%Y-%m-%d %H:%M") if at.tzinfo else str(value)


@register.filter
def event_label(kind: str) -> str:
    return kinds.label(kind)


@register.filter
def event_public_text(event) -> str:
    """What the complainant is told at this step (the kind's public text), for the public view."""
    from ..events import public_text

    return public_text(event)


_PAYLOAD_ORDER = {key: n for n, (key, _label) in enumerate(kinds.PAYLOAD_LABELS)}


@register.filter
def event_details(event) -> list[tuple[str, str]]:
    """The readable part of an event's payload, codes shown by their labels: the kind may rename a field
    and name the vocabulary of its values (kinds.EventKind.fields / .values)."""
    if isinstance(event, dict):  # a bare payload (older templates): shared labels only
        event = SimpleNamespace(kind="", payload=event)
    payload = getattr(event, "payload", None)
    if not isinstance(payload, dict):
        return []
    kind = kinds.KINDS.get(getattr(event, "kind", ""))
    vocabularies = _value_labels()
    value_of = dict(kind.values) if kind else {}
    out = []
    hidden = kind.hidden if kind else ()
    # The payload's labelled keys in PAYLOAD_LABELS' order (tpl: a payload has a few of its ~55 keys).
    for _n, key in sorted((_PAYLOAD_ORDER[k], k) for k in payload if k in _PAYLOAD_ORDER):
        label = kinds.PAYLOAD_LABELS[_n][1]
        value = payload[key]
        if value in (None, "", []) or key in hidden:
            continue
        if kind:
            label = kind.field_label(key, label)
        if key in _TIME_FIELDS:
            out.append((str(label), _local_time(value)))
            continue
        shown = vocabularies.get(value_of.get(key, key), {}).get(value, value)
        out.append((str(label), str(shown)))
    return out


# Translations the rows ask for 50 times a page, looked up once per language and message (pagecpu: gettext
# walks the active catalogue through thread-local state on every call).
_MESSAGES: dict = {}


def _gettext(message: str, lang: str) -> str:
    key = (lang, message)
    text = _MESSAGES.get(key)
    if text is None:
        text = _MESSAGES[key] = gettext(message)
    return text


def _ngettext(singular: str, plural: str, n: int, lang: str) -> str:
    key = (lang, singular, plural, n)
    text = _MESSAGES.get(key)
    if text is None:
        if len(_MESSAGES) > 4096:
            _MESSAGES.clear()
        text = _MESSAGES[key] = ngettext(singular, plural, n) % {"n": n}
    return text


# The countdown's messages, marked for makemessages: xgettext does not know the `_gettext` / `_ngettext`
# helpers above, so the literals `_countdown` passes to them are listed here (docket/core/tests/
# test_messages.py fails when a literal passed to them is not extracted).
_COUNTDOWN_TEXT = (
    ngettext_lazy("%(n)d天", "%(n)d天"),
    ngettext_lazy("%(n)d小时", "%(n)d小时"),
    ngettext_lazy("%(n)d分", "%(n)d分"),
    gettext_noop("%(first)s%(second)s"),
    gettext_noop("已逾期 %(time)s"),
    gettext_noop("剩余 %(time)s"),
)


@register.filter
def countdown(due) -> str:
    """'剩余 3小时20分' / '已逾期 1天2小时' relative to now (clock time; the due time itself is exact)."""

    return _countdown(due, get_language() or "")


def _countdown(due, lang: str, now=None) -> str:
    """`countdown` in the language `lang`, relative to `now` (the clock's now when not given)."""
    if not due:
        return ""

    seconds = int((due - (now if now is not None else clock.now())).total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    units = []
    if days:
        units.append(_ngettext("%(n)d天", "%(n)d天", days, lang))
    if hours:
        units.append(_ngettext("%(n)d小时", "%(n)d小时", hours, lang))
    if not days and (minutes or not hours):
        units.append(_ngettext("%(n)d分", "%(n)d分", minutes, lang))
    # Chinese runs the units together ("1天2小时"); English separates them ("1 d 2 h"): the joining pattern
    # is itself translated.
    parts = units[0]
    for unit in units[1:]:
        parts = _gettext("%(first)s%(second)s", lang) % {"first": parts, "second": unit}
    if late:
        return _gettext("已逾期 %(time)s", lang) % {"time": parts}
    return _gettext("剩余 %(time)s", lang) % {"time": parts}


@register.filter
def due_class(due) -> str:
    """A colour class: overdue, due within 2 hours, or fine."""
    if not due:
        return ""

    seconds = (due - clock.now()).total_seconds()
    return "due-late" if seconds < 0 else "due-soon" if seconds < 7200 else "due-ok"


# Filters for rows rendered 50 at a time (the list and my work, bench/README.md): Django's
# `get_FOO_display` rebuilds a hashable dict of the field's choices on every call (~33 µs, twice a row)
# and the `date` filter goes through the localised formatter (~29 µs); these read a cached dict
# (`core.choices.display`) and format with strftime, with the same output.


@register.filter
def label(obj, field: str):
    """`obj.get_<field>_display()`: the label of the field's value (the value itself when unknown)."""
    return choices.display(obj, field)


@register.filter
def minute(value) -> str:
    """`value|date:"Y-m-d H:i"` in the current time zone."""
    if not value:
        return ""

    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


def _minute_tz(value, tz) -> str:
    """`minute(value)` with the current time zone `tz` read once by the caller (digits, dashes, a colon:
    nothing to escape)."""
    if not value:
        return ""
    if value.utcoffset() is not None:
        value = value.astimezone(tz)
    return value.strftime("%Y-%m-%d %H:%M")


# --- list and queue rows in Python (issue 14, "Speed of the daily paths") ----------------------------------
# A page shows 50 rows; rendered by template nodes each row cost ~60 node renders (labels translated per
# cell, `{% url %}` per link), and through format_html still ~0.2 ms. These produce the same markup with
# f-strings: the cell labels translated once per language, every value escaped with `_e` (Django's
# `escape`: & < > " ' replaced).

_ROW_LABELS: dict[str, dict[str, str]] = {}


_NEEDS_ESCAPE = re.compile("[&<>\"']")


def _e(value) -> str:
    """Django's `escape` (html.escape with quotes); a value without & < > " ' comes back as it is (most
    cells: numbers, receipt numbers, names), without the five replacements."""

    text = str(value)
    return escape(text, quote=True) if _NEEDS_ESCAPE.search(text) else text


_TRANSLATED: dict = {}


def _tr(value, lang: str | None = None) -> str:
    """`_e(value)`; a lazy label (the choices', the steps' and reasons' module-level gettext_lazy) is
    translated and escaped once per language `lang` (the current one when not given), keyed by the label
    object, which the memo keeps alive."""

    if not isinstance(value, Promise):
        return _e(value)
    key = (lang if lang is not None else get_language(), id(value))
    hit = _TRANSLATED.get(key)
    if hit is not None and hit[0] is value:
        return hit[1]
    text = _e(value)
    if len(_TRANSLATED) > 4096:
        _TRANSLATED.clear()
    _TRANSLATED[key] = (value, text)
    return text


def _row_labels() -> dict[str, str]:

    lang = get_language() or ""
    labels = _ROW_LABELS.get(lang)
    if labels is None:
        labels = _ROW_LABELS[lang] = {
            "": lang,  # the language itself, for the rows' other lookups
            "%pick": gettext("选择 %(no)s"),  # not escaped: formatted, then escaped, per row
            **{
                k: _e(gettext(k))
                for k in (
                    gettext_noop("回执编号"),
                    gettext_noop("管理处"),
                    gettext_noop("类别"),
                    gettext_noop("状态"),
                    gettext_noop("当前处理部门"),
                    gettext_noop("最近到期"),
                    gettext_noop("受理时间"),
                    gettext_noop("待我处理"),
                    gettext_noop("查看"),
                    gettext_noop("已暂停计时"),
                    gettext_noop("选择"),
                )
            },
        }
    return labels


# The choice labels of a field, translated and escaped, per model, field and language (tpl): a row looks its
# values up in these instead of `label` + `_tr` per cell. None for a field whose choices are callable.
_CHOICE_TEXTS: dict = {}


def _choice_texts(model, field: str, lang: str) -> dict | None:
    key = (model, field, lang)
    texts = _CHOICE_TEXTS.get(key, False)
    if texts is False:
        labels = choices._labels(model._meta.get_field(field))
        texts = None if labels is None else {value: _tr(text, lang) for value, text in labels.items()}
        _CHOICE_TEXTS[key] = texts
    return texts


class _Rows:
    """What the rows of one page share (tpl): the cell labels and the language, the current time zone, one
    "now" for every row's countdown and colour (the page is one instant), the choices' texts."""

    __slots__ = ("t", "lang", "tz", "now", "texts")

    def __init__(self):
        self.t = _row_labels()
        self.lang = self.t[""]
        self.tz = timezone.get_current_timezone()
        self.now = clock.now()
        self.texts: dict = {}

    def choice(self, c, field: str) -> str:
        """`_tr(label(c, field))`: the label of the value, escaped (the value itself, escaped, when unknown)."""
        texts = self.texts.get(field, False)
        if texts is False:
            texts = self.texts[field] = _choice_texts(type(c), field, self.lang)
        if texts is not None:
            hit = texts.get(getattr(c, field))
            if hit is not None:
                return hit
        return _tr(label(c, field), self.lang)

    def minute(self, value) -> str:
        return _minute_tz(value, self.tz)


def _pick_cell(c, t: dict[str, str]) -> str:
    """The bulk hand-over checkbox of a row (issue 14), tied to the bulk bar's form."""

    name = _e(t["%pick"] % {"no": c.receipt_no})
    return (
        f'<td class="pick" data-label="{t["选择"]}"><input type="checkbox" name="bulk-ids" value="{int(c.id)}" '
        f'form="bulk-form" aria-label="{name}"></td>'
    )


def _due_cell(c, r: _Rows) -> str:
    t = r.t
    due = c.next_due_at
    if due:
        seconds = (due - r.now).total_seconds()
        colour = "due-late" if seconds < 0 else "due-soon" if seconds < 7200 else "due-ok"
        inner = (
            f'<span class="num {colour}" title="{r.minute(due)}">{_e(_countdown(due, r.lang, r.now))}</span>'
        )
    elif c.paused_at:
        inner = f'<span class="muted">{t["已暂停计时"]}</span>'
    else:
        inner = "—"
    return f'<td data-label="{t["最近到期"]}">{inner}</td>'


def _subject_cell(c, r: _Rows) -> str:
    badge = ""
    if c.severity != "normal":
        badge = f'<span class="badge {_e(c.severity)}">{r.choice(c, "severity")}</span> '
    return f'<td class="subject">{badge}{_e(c.subject)}</td>'


def _tail_cells(c, r: _Rows) -> tuple[str, str, str]:
    t = r.t
    office = _e(c.office.name) if c.office_id else ""
    dept = _e(c.holder_department.name) if c.holder_department_id else "—"
    return (
        f'<td data-label="{t["管理处"]}">{office}</td>',
        f'<td data-label="{t["当前处理部门"]}">{dept or "—"}</td>',
        f'<td data-label="{t["受理时间"]}"><span class="num">{r.minute(c.received_at)}</span></td>',
    )


def _list_row(c, base: str, bulk, r: _Rows) -> str:
    t = r.t
    office, dept, received = _tail_cells(c, r)
    cells: tuple[str, ...] = (
        f'<td data-label="{t["回执编号"]}"><a class="num" href="{base}{int(c.id)}/">{_e(c.receipt_no)}</a></td>',
        _subject_cell(c, r),
        office,
        f'<td data-label="{t["类别"]}">{r.choice(c, "kind")}</td>',
        f'<td data-label="{t["状态"]}"><span class="state s-{_e(c.state)}">{r.choice(c, "state")}</span></td>',
        dept,
        _due_cell(c, r),
        received,
    )
    if bulk:
        cells = (_pick_cell(c, t), *cells)
    return "<tr>\n      " + "\n      ".join(cells) + "\n    </tr>"


def _queue_row(c, base: str, bulk, r: _Rows) -> str:
    t = r.t
    lang = r.lang
    reasons = getattr(c, "reasons", ())
    step = getattr(c, "step", None)
    if step and not step.action:  # whom the row waits for (next_steps.WATCH_NOTES), not a step of mine
        button = f'<span class="waiting-step">{_tr(step.label, lang)}</span>'
    elif step:
        action = _e(step.action)
        button = (
            f'<a class="btn btn-small primary" href="{base}{int(c.id)}/?do={action}" data-action="{action}">'
            f"{_tr(step.label, lang)}</a>"
        )
    else:
        button = f'<span class="muted">{t["查看"]}</span>'
    why = "".join(f'<span class="why why-{_e(code)}">{_tr(lbl, lang)}</span>' for code, lbl in reasons)
    office, dept, received = _tail_cells(c, r)
    cells: tuple[str, ...] = (
        f'<td class="next" data-label="{t["待我处理"]}">{button}\n        {why}</td>',
        f'<td data-label="{t["回执编号"]}"><a class="num" href="{base}{int(c.id)}/">{_e(c.receipt_no)}</a></td>',
        _subject_cell(c, r),
        f'<td data-label="{t["状态"]}"><span class="state s-{_e(c.state)}">{r.choice(c, "state")}</span></td>',
        _due_cell(c, r),
        office,
        dept,
        received,
    )
    if bulk:
        cells = (_pick_cell(c, t), *cells)
    classes = "".join(f"r-{_e(code)} " for code, _lbl in reasons)
    return f'<tr class="{classes}">' + "\n      " + "\n      ".join(cells) + "\n    </tr>"


@register.simple_tag
def list_row(c, detail_base: str, bulk: bool = False):
    """One row of the list and the search: the complaint's receipt number linked to its page (`detail_base`,
    the list's URL, + `<id>/`, complaints/urls.py), subject, office, kind, state, holder, next due, received;
    `bulk`: a checkbox for the bulk bar first."""

    return mark_safe(_list_row(c, _e(detail_base), bulk, _Rows()))  # noqa: S308 (escaped above)


@register.simple_tag
def queue_row(c, detail_base: str, bulk: bool = False):
    """One row of my work: the step waiting for me and why, then the row; with `bulk`, a checkbox for the
    bulk bar first."""

    return mark_safe(_queue_row(c, _e(detail_base), bulk, _Rows()))  # noqa: S308 (escaped above)


# The whole loop of rows in one tag (tpl): complaints/_rows.html and _queue_rows.html wrote
# `{% for c in page %}\n    {% list_row c … %}\n  {% endfor %}`: the same text, without a loop of template
# nodes (the loop's context and forloop per row, three arguments resolved per row).


def _rows_html(row, items, detail_base: str, bulk) -> str:
    r = _Rows()
    base = _e(detail_base)
    return "".join(f"\n    {row(c, base, bulk, r)}\n  " for c in items)


@register.simple_tag
def list_rows_html(items, detail_base: str, bulk: bool = False):
    """Every row of complaints/_rows.html (`list_row` each, with the loop's whitespace); "" without rows."""

    return mark_safe(_rows_html(_list_row, items, detail_base, bulk))  # noqa: S308 (escaped above)


@register.simple_tag
def queue_rows_html(items, detail_base: str, bulk: bool = False):
    """Every row of complaints/_queue_rows.html (`queue_row` each, with the loop's whitespace)."""

    return mark_safe(_rows_html(_queue_row, items, detail_base, bulk))  # noqa: S308 (escaped above)


# --- the complaint page's history panel in Python (tplcpu) ---------------------------------------------------
# Up to 10 rows of the complainant's other complaints (record_panels.history_panel), each a `{% url %}`, a state
# label and a `date` filter as template nodes; the same markup with f-strings, every value escaped.


@register.simple_tag
def history_items(rows, detail_base: str):
    """The `<li>`s of the complainant's history panel: receipt number linked to the complaint page
    (`detail_base` + `<id>/`, complaints/urls.py), state label, day received (current time zone), subject."""

    lang = get_language()
    base = _e(detail_base)
    items = []
    for h in rows:
        received = h.received_at
        if received and timezone.is_aware(received):
            received = timezone.localtime(received)
        day = received.strftime("%Y-%m-%d") if received else ""
        items.append(
            f'<li><a href="{base}{int(h.id)}/" class="nowrap">{_e(h.receipt_no)}</a> '
            f'<span class="state s-{_e(h.state)}">{_tr(label(h, "state"), lang)}</span> '
            f'<span class="muted nowrap">{day}</span> {_e(h.subject)}</li>'
        )
    return mark_safe("".join(items))  # noqa: S308 (every value escaped above)


@register.simple_tag
def obligation_rows(obligations):
    """The `<tr>`s of the complaint page's deadlines table (complaints/detail.html): the obligation, its due
    time (provisional when the year's holidays are incomplete), met on time / late, the countdown or state."""

    lang = get_language() or ""
    out = []
    # `{% translate "literal" %}` is not escaped (a template literal is safe): neither are these. The messages
    # are translated outside the f-strings, where makemessages sees them.
    for o in obligations:
        due = f"{_e(minute(o.due_at))}"
        if o.provisional:
            why = gettext("该年度节假日安排尚未完整录入，时限暂按周末和法定节日计算")
            provisional = gettext("暂定")
            due += f' <span class="badge" title="{why}">{provisional}</span>'
        if o.met_at:
            met = o.met_at
            if timezone.is_aware(met):
                met = timezone.localtime(met)
            if o.on_time:
                on_time = gettext("按时完成")
                done = f'<span class="due-ok">{on_time}</span>'
            else:
                late = gettext("逾期完成")
                done = f'<span class="due-late">{late}</span>'
            state = f"{done} {met.strftime('%m-%d %H:%M')}\n            "
        elif o.state == "open" or o.state == "missed":
            state = f'<span class="{_e(due_class(o.due_at))}">{_e(_countdown(o.due_at, lang))}</span>\n            '
        else:
            state = _tr(label(o, "state"), lang)
        out.append(
            f"\n      <tr>\n        <td>{_tr(label(o, 'kind'), lang)}</td>\n        <td>{due}</td>\n"
            f"        <td>{state}</td>\n      </tr>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


# --- the complaint page's issues in Python (tpl) ---------------------------------------------------------------
# The issues list of complaints/detail.html was ~20 template nodes per issue and ~12 per answer; the same markup
# with f-strings: values escaped as `{{ }}` escapes them (`conditional_escape`: a `None` shows as "None"), the
# `{% translate "literal" %}` texts unescaped as Django leaves them.

# Marked for makemessages: the f-strings below pass these to `_gettext`, which xgettext does not read.
_ISSUE_TEXT = (
    gettext_noop("待审核"),
    gettext_noop("已发送"),
    gettext_noop("单项答复"),
    gettext_noop("调查情况"),
    gettext_noop("处理措施"),
    gettext_noop("验证"),
    gettext_noop("责任部门"),
)


def _issue_answer(a, public_only, lang: str) -> str:
    private = ""
    if not public_only:
        pending = f" · {_gettext('待审核', lang)}" if a.pending_stage else ""
        private = f"（{conditional_escape(a.get_state_display())}{pending}）"
    sent = ""
    if a.sent_at:
        sent = f' <span class="muted">{_gettext("已发送", lang)} {minute(a.sent_at)}</span>'
    number = conditional_escape(a.number)
    return (
        f'\n      <div class="issue-answer" data-issue-answer="{number}">{_gettext("单项答复", lang)} #{number}'
        f"{private}{_gettext(COLON, lang)}{_linebreaksbr(a.body)}{sent}</div>\n      "
    )


@register.simple_tag
def issue_items(issues, public_only=False):
    """The `<li>`s of the complaint page's issues: summary, category, department, responsible person (staff),
    state; for staff the findings, measures and verification; each answer (the public view: sent ones)."""

    lang = get_language() or ""
    colon = _gettext(COLON, lang)
    out = []
    for i in issues:
        category = i.category
        department = i.department
        dept = conditional_escape(department.name if department is not None else "") or "—"
        responsible = i.responsible
        who = f" · {conditional_escape(responsible)}" if responsible and not public_only else ""
        staff = ""
        if not public_only:
            findings = (
                f"<div>{_gettext('调查情况', lang)}{colon}{conditional_escape(i.findings)}</div>"
                if i.findings
                else ""
            )
            measures = (
                f"<div>{_gettext('处理措施', lang)}{colon}{conditional_escape(i.measures)}</div>"
                if i.measures
                else ""
            )
            verified = (
                f"<div>{_gettext('验证', lang)}{colon}{conditional_escape(i.verification_note)}"
                f"（{conditional_escape(i.verified_by)}）</div>"
                if i.verification_note
                else ""
            )
            staff = f"\n      {findings}\n      {measures}\n      {verified}\n      "
        answers = "".join(
            _issue_answer(a, public_only, lang)
            for a in i.answers.all()
            if not public_only or a.state == "sent"
        )
        out.append(
            f'\n    <li><b>{conditional_escape(i.summary)}</b> <span class="muted">'
            f"{conditional_escape(category) if category else ''}</span>\n"
            f"      <div>{_gettext('责任部门', lang)}{colon}{dept}{who} · {_tr(label(i, 'state'), lang)}</div>\n"
            f"      {staff}\n      {answers}\n    </li>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


# --- the complaint page's record card in Python (tpl) -----------------------------------------------------------
# The two field lists around the complainant (record_panels.person_panel), the text and the flags
# of complaints/detail.html: ~45 template nodes; the same markup, values escaped as `{{ }}` escapes them.

_FLAGS = (
    ("lawsuit_filed", gettext_noop("已提起诉讼")),
    ("media_exposed", gettext_noop("已被媒体曝光")),
    ("legal_or_media_risk", gettext_noop("可能引发诉讼或媒体曝光")),
    ("developer_related", gettext_noop("涉及地产")),
    ("compensation_claimed", gettext_noop("提出索赔")),
    ("home_return_requested", gettext_noop("要求退换房")),
    ("sensitive", gettext_noop("敏感投诉")),
    ("unreasonable", gettext_noop("无理投诉（已解释）")),
)
# The punctuation after a label ("调查情况：") and between a time and a name ("…18:04，黄晓雯"): full-width in
# Chinese, ": " and ", " in English (the walk, 2026-12-06: "Investigation findings：" in English).
COLON = gettext_noop("：")
COMMA = gettext_noop("，")
_CARD_TEXT = (
    gettext_noop("类别"),
    gettext_noop("渠道 / 方式"),
    gettext_noop("投诉人类型"),
    gettext_noop("发生地点"),
    gettext_noop("受理时间"),
    gettext_noop("当前处理"),
    gettext_noop("最后处理"),
    gettext_noop("责任人"),
    gettext_noop("转交单位"),
    gettext_noop("投诉内容"),
    gettext_noop("顾客诉求"),
)


def _or_dash(value) -> str:
    """`{{ value|default:"—" }}`."""
    return conditional_escape(value) if value else "—"


@register.simple_tag
def complaint_kind_fields(c, public_only=False, person=None):
    """The first field list of the complaint page's record card: kind, channel and method, complainant type,
    the place (masked for the public view and for a masked person)."""

    lang = get_language() or ""
    tr = {m: _gettext(m, lang) for m in _CARD_TEXT}
    ctype = ""
    if c.complainant_type:
        ctype = (
            f'<dt>{tr["投诉人类型"]}</dt><dd data-complainant-type="{conditional_escape(c.complainant_type)}">'
            f"{conditional_escape(c.get_complainant_type_display())}</dd>"
        )
    masked = public_only or getattr(person, "masked", "")
    where = c.where_masked if masked else c.where
    place = f"<dt>{tr['发生地点']}</dt><dd>{conditional_escape(where)}</dd>" if where else ""
    return mark_safe(  # noqa: S308 (every value escaped)
        '<dl class="fields">\n'
        f"    <dt>{tr['类别']}</dt><dd>{conditional_escape(c.get_kind_display())}</dd>\n"
        f"    <dt>{tr['渠道 / 方式']}</dt><dd>{conditional_escape(c.get_channel_display())} / "
        f"{conditional_escape(c.get_method_display())}</dd>\n"
        f"    {ctype}\n"
        f"    {place}{chr(10) + '    ' if masked else ''}\n"
        "  </dl>"
    )


@register.simple_tag
def complaint_facts(c, public_only=False):
    """The rest of the record card: received when and by whom, who holds it, the responsible person, the
    forwarding body; the description and the demand; the flags (staff)."""

    lang = get_language() or ""
    tr = {m: _gettext(m, lang) for m in _CARD_TEXT}
    by = "" if public_only else f"{_gettext(COMMA, lang)}{_or_dash(c.received_by)}"
    dept = c.holder_department
    holder = c.holder
    who = f" · {conditional_escape(holder)}" if holder and not public_only else ""
    responsible = "" if public_only else f"<dt>{tr['责任人']}</dt><dd>{_or_dash(c.responsible)}</dd>"
    forwarded = ""
    if c.forwarded_by:
        forwarded = (
            f"<dt>{tr['转交单位']}</dt><dd>{conditional_escape(c.forwarded_by)} "
            f"{conditional_escape(c.forwarder_ref)}</dd>"
        )
    demand = ""
    if c.demand:
        demand = f'<h3>{tr["顾客诉求"]}</h3><p class="prose">{_linebreaksbr(c.demand)}</p>'
    flags = ""
    if not public_only:
        spans = "".join(
            "\n    " + (f'<span class="flag">{_gettext(text, lang)}</span>' if getattr(c, name) else "")
            for name, text in _FLAGS
        )
        flags = f'<p class="flags">{spans}\n  </p>'
    return mark_safe(  # noqa: S308 (every value escaped)
        '<dl class="fields">\n'
        f"    <dt>{tr['受理时间']}</dt><dd>{minute(c.received_at)}{by}</dd>\n"
        f"    <dt>{tr['当前处理'] if c.is_open else tr['最后处理']}</dt>"
        f"<dd>{_or_dash(dept.name if dept is not None else '')}{who}</dd>\n"
        f"    {responsible}\n"
        f"    {forwarded}\n"
        "  </dl>\n"
        f"  <h3>{tr['投诉内容']}</h3>\n"
        f'  <p class="prose">{_linebreaksbr(c.description)}</p>\n'
        f"  {demand}\n"
        f"  {flags}"
    )


# --- the complaint page's timeline in Python (pagecpu) ---------------------------------------------------------
# A complaint has 1–35 events (9 on average), each ~15 template nodes with a filter per payload field; as
# template nodes the timeline was the largest part of the page's rendering. `timeline_items` writes the same
# markup as the loop it replaced in complaints/detail.html: values escaped with `_e` (Django's `escape`),
# multi-line text as `linebreaksbr` gives it, labels translated in the current language.


def _linebreaksbr(value) -> str:
    """Django's `linebreaksbr` on plain text: newlines normalised, escaped, then <br>."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _e(text).replace("\n", "<br>")


@register.simple_tag
def timeline_items(events, public_only=False):
    """The <li> items of the complaint page's timeline (staff view, or the public view with each step's
    text for the complainant)."""

    internal = _e(gettext("内部"))
    colon = gettext(COLON)
    lang = get_language()
    tz = timezone.get_current_timezone()
    out = []
    for e in events:
        tag = "" if e.public else f' <span class="tag">{internal}</span>'
        if public_only:
            text = event_public_text(e)
            body = (f"<div>{_linebreaksbr(text)}</div>" if text else "") + "\n        "
        else:
            details = "".join(
                f'<div><span class="muted">{_e(label)}{colon}</span>{_linebreaksbr(value)}</div>'
                for label, value in event_details(e)
            )
            body = f'<span class="muted">{_e(e.actor_name)} · {_e(e.actor_role)}</span>\n        {details}'
        out.append(
            f'\n    <li class="{"" if e.public else "internal"}">\n'
            f'      <div class="when">{_minute_tz(e.at, tz)}</div>\n'
            f'      <div class="what"><b>{_tr(kinds.get(e.kind).label, lang)}</b>{tag}\n'
            f"        {body}\n"
            f"      </div>\n"
            f"    </li>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


# --- the filter form's option lists in Python (pagecpu) ---------------------------------------------------------
# The list and my work show the filter form on every request: 60–90 <option>s (states, kinds, offices,
# departments, categories, channels, methods), each five template nodes. Same markup, escaped with `_e`.


def _selected(chosen, value) -> str:
    return " selected" if chosen == value else ""


@register.simple_tag
def choice_options(pairs, chosen):
    """`<option>`s of (value, label) pairs (a TextChoices' choices)."""

    return mark_safe(  # noqa: S308 (escaped)
        "".join(f'<option value="{_e(v)}"{_selected(chosen, v)}>{_tr(lbl)}</option>' for v, lbl in pairs)
    )


@register.simple_tag
def office_options(offices, chosen):

    return mark_safe(  # noqa: S308 (escaped)
        "".join(f'<option value="{_e(o.id)}"{_selected(chosen, o.id)}>{_e(o.name)}</option>' for o in offices)
    )


@register.simple_tag
def department_options(departments, chosen, offices):
    """The departments, each an office's named with its office when several offices are offered."""

    several = len(offices) > 1
    out = []
    for d in departments:
        prefix = f"{_e(d.office.name)} · " if several and d.office else ""
        out.append(f'<option value="{_e(d.id)}"{_selected(chosen, d.id)}>{prefix}{_e(d.name)}</option>')
    return mark_safe("".join(out))  # noqa: S308 (escaped)


@register.simple_tag
def category_options(categories, chosen):
    """The categories, sub-categories marked with a dash."""

    return mark_safe(  # noqa: S308 (escaped)
        "".join(
            f'<option value="{_e(c.id)}"{_selected(chosen, c.id)}>{"— " if c.parent_id else ""}{_e(c.name)}</option>'
            for c in categories
        )
    )


# The filter form (complaints/_filters.html) of the list and my work in one tag (tpl): ~60 template nodes per
# page before; the same markup, the form's fixed text translated once per language.

_FILTER_TEXT = (
    gettext_noop("状态"),
    gettext_noop("全部"),
    gettext_noop("编号或主题"),
    gettext_noop("排序"),
    gettext_noop("受理时间（新→旧）"),
    gettext_noop("到期时间（近→远）"),
    gettext_noop("仅未结案"),
    gettext_noop("仅已逾期"),
    gettext_noop("更多筛选"),
    gettext_noop("类别"),
    gettext_noop("管理处"),
    gettext_noop("部门"),
    gettext_noop("问题分类"),
    gettext_noop("渠道"),
    gettext_noop("方式"),
    gettext_noop("受理日期从"),
    gettext_noop("至"),
    gettext_noop("筛选"),
    gettext_noop("清除筛选"),
)


def _day(value) -> str:
    """`value|date:'Y-m-d'` of a day (or "" for none)."""
    if value in (None, ""):
        return ""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _length(value) -> int:
    """The `length` filter: len(value), 0 when it has none."""
    try:
        return len(value)
    except (ValueError, TypeError):
        return 0


@register.simple_tag(takes_context=True)
def filter_form(context):
    """complaints/_filters.html's form: the state, search and (with `with_sort`) sort fields, the open and
    overdue boxes, the further filters (kind, office when several, department, category, channel, method,
    received between), from the context's `filters` (selectors.ListFilters) and option lists."""

    lang = get_language() or ""
    tr = {m: _gettext(m, lang) for m in _FILTER_TEXT}
    get = context.get
    f = get("filters")

    def fv(name):
        return getattr(f, name, "") if f is not None else ""

    everything = f'<option value="">{tr["全部"]}</option>'
    view = get("view")
    offices = get("offices", "")
    out = [
        '<form class="filters" method="get" role="search">\n'
        f'  <label>{tr["状态"]}\n    <select name="state">{everything}\n'
        f"      {choice_options(get('states', ''), fv('state'))}\n"
        "    </select></label>\n  ",
        f'<input type="hidden" name="view" value="{conditional_escape(view)}">' if view else "",
        f'\n  <label>{tr["编号或主题"]}<input name="q" value="{conditional_escape(fv("q"))}"></label>\n  ',
    ]
    if get("with_sort"):
        due = fv("sort") == "due"
        out.append(
            f'<label>{tr["排序"]}\n    <select name="sort">\n'
            f'      <option value="received"{"" if due else " selected"}>{tr["受理时间（新→旧）"]}</option>\n'
            f'      <option value="due"{" selected" if due else ""}>{tr["到期时间（近→远）"]}</option>\n'
            "    </select></label>\n"
            f'  <label class="check"><input type="checkbox" name="open" value="1"'
            f"{' checked' if fv('open_only') else ''}> {tr['仅未结案']}</label>"
        )
    more = any(
        fv(name)
        for name in (
            "kind",
            "office_id",
            "department_id",
            "category_id",
            "channel",
            "method",
            "received_from",
            "received_to",
        )
    )
    out.append(
        f'\n  <label class="check"><input type="checkbox" name="overdue" value="1"'
        f"{' checked' if fv('overdue') else ''}> {tr['仅已逾期']}</label>\n"
        f'  <details class="more-filters"{" open" if more else ""}>\n'
        f"    <summary>{tr['更多筛选']}</summary>\n"
        f'  <label>{tr["类别"]}\n      <select name="kind">{everything}\n'
        f"        {choice_options(get('kinds', ''), fv('kind'))}\n"
        "      </select></label>\n    "
    )
    if _length(offices) > 1:
        out.append(
            f'<label>{tr["管理处"]}\n      <select name="office">{everything}\n'
            f"        {office_options(offices, fv('office_id'))}\n"
            "      </select></label>"
        )
    out.append(
        f'\n    <label>{tr["部门"]}\n      <select name="department">{everything}\n'
        f"        {department_options(get('departments', ''), fv('department_id'), offices)}\n"
        "      </select></label>\n"
        f'    <label>{tr["问题分类"]}\n      <select name="category">{everything}\n'
        f"        {category_options(get('categories', ''), fv('category_id'))}\n"
        "      </select></label>\n"
        f'    <label>{tr["渠道"]}\n      <select name="channel">{everything}\n'
        f"        {choice_options(get('channels', ''), fv('channel'))}\n"
        "      </select></label>\n"
        f'    <label>{tr["方式"]}\n      <select name="method">{everything}\n'
        f"        {choice_options(get('methods', ''), fv('method'))}\n"
        "      </select></label>\n"
        f"    <label>{tr['受理日期从']}\n"
        f'      <input type="date" name="received_from" value="{_day(fv("received_from"))}"></label>\n'
        f"    <label>{tr['至']}\n"
        f'      <input type="date" name="received_to" value="{_day(fv("received_to"))}"></label>\n'
        "  </details>\n"
        f'  <button type="submit">{tr["筛选"]}</button>\n  '
    )
    request = get("request")
    if request is not None and getattr(request, "GET", None):
        out.append(f'<a href="?">{tr["清除筛选"]}</a>')
    out.append("\n</form>")
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above; the option lists escape theirs)


@register.simple_tag
def action_buttons(c, actions, primary):
    """The complaint page's action buttons (each a link and an htmx GET of the action's form): the markup of
    the template loop they replace, one `reverse` per action instead of two (pagecpu)."""

    out = []
    for a in actions:
        url = _e(id_url("complaints:action", c.id, a.name))
        kind = " primary" if a.name == primary else " btn-secondary"
        quiet = " btn-quiet" if a.name in ("withdraw", "close_unclosed") else ""
        out.append(
            f'<a class="btn{kind}{quiet}" href="{url}" data-action="{_e(a.name)}"\n'
            f'       hx-get="{url}" hx-target="#action-panel" hx-swap="innerHTML">{_tr(a.label)}</a>'
        )
    return mark_safe("".join(out))  # noqa: S308 (escaped above)
