"""The history panel's rows written by `complaint_tags.history_items` are the template loop's (tplcpu)."""

from datetime import UTC, datetime

from django.template import Context, Template
from django.utils import translation

from docket.complaints.models import Complaint, Obligation, State
from docket.core import clock

OLD_LOOP = (
    '{% for h in rows %}<li><a href="{% url \'complaints:detail\' h.id %}" class="nowrap">{{ h.receipt_no }}'
    '</a> <span class="state s-{{ h.state }}">{{ h.get_state_display }}</span> <span class="muted nowrap">'
    '{{ h.received_at|date:"Y-m-d" }}</span> {{ h.subject }}</li>{% endfor %}'
)
NEW_TAG = "{% load complaint_tags %}{% url 'complaints:list' as base %}{% history_items rows base %}"


def test_history_items_match_the_template_loop():
    rows = [
        Complaint(
            id=7 + n,
            receipt_no=f"R-2026-<{n}>&'\"",
            state=state,
            received_at=datetime(2026, 12, 5, 16 + n % 3, 30, tzinfo=UTC),  # past midnight in Shanghai
            subject="<b>漏水</b> & \"quotes\" 'x'\nline",
        )
        for n, state in enumerate([*State.values, "no-such-state"])
    ]
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            old = Template(OLD_LOOP).render(Context({"rows": rows}))
            new = Template(NEW_TAG).render(Context({"rows": rows}))
            assert new == old
            assert Template(NEW_TAG).render(Context({"rows": []})) == ""


OLD_OBLIGATIONS = """{% load i18n complaint_tags %}{% for o in obligations %}
      <tr>
        <td>{{ o|label:"kind" }}</td>
        <td>{{ o.due_at|minute }}{% if o.provisional %} <span class="badge" title="{% translate '该年度节假日安排尚未完整录入，时限暂按周末和法定节日计算' %}">{% translate "暂定" %}</span>{% endif %}</td>
        <td>{% if o.met_at %}{% if o.on_time %}<span class="due-ok">{% translate "按时完成" %}</span>{% else %}<span class="due-late">{% translate "逾期完成" %}</span>{% endif %} {{ o.met_at|date:"m-d H:i" }}
            {% elif o.state == "open" or o.state == "missed" %}<span class="{{ o.due_at|due_class }}">{{ o.due_at|countdown }}</span>
            {% else %}{{ o|label:"state" }}{% endif %}</td>
      </tr>
    {% endfor %}"""  # noqa: E501 (the loop as complaints/detail.html had it)


def test_obligation_rows_match_the_template_loop():
    now = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
    rows = []
    for n, state in enumerate([*Obligation.State.values, "no-such-state"]):
        for met, provisional in ((None, False), (now, True), (now.replace(hour=20), False)):
            rows.append(
                Obligation(
                    kind=[*Obligation.Kind.values, "no-such-kind"][n % (len(Obligation.Kind.values) + 1)],
                    state=state,
                    due_at=now.replace(hour=(3 * n) % 24),
                    met_at=met,
                    provisional=provisional,
                )
            )
    with clock.travel(now):
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                old = Template(OLD_OBLIGATIONS).render(Context({"obligations": rows}))
                new = Template("{% load complaint_tags %}{% obligation_rows obligations %}").render(
                    Context({"obligations": rows})
                )
                assert new == old
