"""The complaint page's lower panels in Python (tpl2, issue 14, "Speed of the daily paths") write what their
templates wrote: the replies and their reviews (`reply_panel`), the follow-ups, the owner's ratings and the second
review (`owner_answers`), the claims and the nonconformity reports (`seed2_panels`), the attachments
(`attachment_list`), the complainant (`person_panel`, complaints/_person.html), their other complaints (`history_panel`), the links above the title and the title's line (`complaint_links`,
`complaint_title`), the deadlines (`deadlines`). Each tag is rendered beside the old template text on varied inputs: markup, quotes and
ampersands in every text, line breaks, missing people, empty lists, every state; both languages."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from docket.accounts.models import User
from docket.complaints.models import (
    Attachment,
    CompensationClaim,
    Complaint,
    CorrectiveAction,
    FollowUp,
    NonconformityReport,
    Reply,
    ReplyReview,
)
from docket.complaints.models.answers import OwnerRating, SecondReview
from docket.org.models import Department

# The old complaints/_person.html includes Django's {% csrf_token %}, which for "NOTPROVIDED" calls
# format_html("") (deprecated in Django 5.2, Django's own code): not ours to change.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Calling format_html\\(\\) without passing args:DeprecationWarning"
)

HOSTILE = "<script>alert(\"x\")</script> & 'q'"
MULTI = HOSTILE + "\nline two\r\nthree & <b>\rfour"
NOW = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)

# The old template text (complaints/detail.html's replies block, _owner_answers.html, _seed2_panels.html,
# _attachments.html before tpl2).
OLD_REPLIES = """{% load i18n nav_urls %}{% if c.replies.all %}
<section class="card replies">
  <h2>{% translate "答复" %}</h2>
  {% for r in c.replies.all reversed %}{% if not public_only or r.state == "sent" %}
  <div class="reply">
    <div class="reply-body">
      <h3>{% blocktranslate with n=r.number %}第 {{ n }} 次答复{% endblocktranslate %} <span class="state">{{ r.get_state_display }}</span>
        {% if r.state == "sent" or r.state == "approved" %}<a class="no-print" href="{% id_url 'complaints:reply_letter' c.id r.number %}">{% translate "打印答复函" %}</a>{% endif %}</h3>
      <p class="prose">{{ r.body|linebreaksbr }}</p>
      <p class="muted">{% if not public_only %}{{ r.author }} · {{ r.updated_at|date:"Y-m-d H:i" }}{% endif %}{% if r.sent_at %} · {% translate "已发送" %} {{ r.sent_at|date:"Y-m-d H:i" }}{% endif %}</p>
    </div>
    {% if not public_only %}<div class="reply-reviews">
      <h3>{% translate "审核意见" %}</h3>
      {% for v in r.reviews.all %}<p><b>{{ v.get_stage_display }}</b> {% if v.approved %}<span class="due-ok">{% translate "通过" %}</span>{% else %}<span class="due-late">{% translate "退回" %}</span>{% endif %} <span class="muted">{{ v.reviewer }} {{ v.reviewed_at|date:"m-d H:i" }}</span><br>{{ v.comment|default:""|linebreaksbr }}</p>
      {% empty %}<p class="muted">{% if r.state == "draft" or r.state == "returned" %}{{ review_route }}{% elif r.review_stages %}{% translate "待审核" %}{% else %}{% translate "无需审核" %}{% endif %}</p>{% endfor %}
    </div>{% endif %}
  </div>
  {% endif %}{% endfor %}
</section>
{% endif %}"""  # noqa: E501 (as the template had it)
OLD_OWNER_ANSWERS = """{% load i18n %}{# portal answers (issue 11): the owner's own rating beside the staff follow-up, and the second-stage review #}
{% with ratings=c.owner_ratings.all review=c.second_review fus=c.follow_ups.all %}
{% if ratings or review or fus %}
<section class="card" id="owner-answers">
  <h2>{% translate "回访与业主评价" %}</h2>
  {% for fu in fus %}<p><b>{% translate "回访（员工记录）" %}{% if fu.round > 1 %}（{% blocktranslate with n=fu.round %}第 {{ n }} 轮{% endblocktranslate %}）{% endif %}</b>：{% if fu.exemption %}{{ fu.get_exemption_display }}{% else %}{{ fu.get_method_display }} · {% translate "满意度" %} {{ fu.satisfaction|default:"—" }}{% if not public_only %} · {% translate "质检评分" %} {{ fu.quality_score|default:"—" }}{% endif %}{% endif %}{% if fu.opinion %}<br><span class="muted">{{ fu.opinion }}</span>{% endif %}</p>{% endfor %}
  {% for r in ratings %}
  <p><b>{% translate "业主自评" %}{% if r.round > 1 %}（{% blocktranslate with n=r.round %}第 {{ n }} 轮{% endblocktranslate %}）{% endif %}</b>：
    {% translate "受理过程" %} {{ r.process }} · {% translate "处理措施" %} {{ r.measures }} · {% translate "处理结果" %} {{ r.result }}
    <span class="muted">{{ r.rated_at|date:"Y-m-d H:i" }}</span>{% if r.comment %}<br>{{ r.comment|linebreaksbr }}{% endif %}</p>
  {% endfor %}
  {% if review %}
  <h3>{% translate "二次复核" %}</h3>
  <p>{% translate "业主申请" %} {{ review.requested_at|date:"Y-m-d H:i" }}：{{ review.reason|linebreaksbr }}</p>
  {% if review.decided_at %}<p><b>{{ review.get_outcome_display }}</b>{% if not public_only %} <span class="muted">{{ review.decided_by }} {{ review.decided_at|date:"Y-m-d H:i" }}</span>{% endif %}<br>{{ review.decision|linebreaksbr }}</p>
  {% else %}<p class="due-soon">{% translate "待复核：须由品质管理部或原处理人以外的岗位书面决定。" %}</p>{% endif %}
  {% endif %}
</section>
{% endif %}
{% endwith %}
"""  # noqa: E501 (as the template had it)
OLD_SEED2 = """{% load i18n complaint_tags %}{# seed part 2 (issue 15): claims (seed 5.2.4) and nonconformity reports (document 5 §4.3–4.4) #}
{% if c.claims.all %}
<section class="card" id="claims">
  <h2>{% translate "索赔" %}</h2>
  <div class="table-scroll"><table class="obligations claims">
    <thead><tr><th>{% translate "索赔" %}</th><th>{% translate "状态" %}</th><th>{% translate "审批/上报" %}</th><th>{% translate "结果" %}</th></tr></thead>
    <tbody>
    {% for k in c.claims.all %}
      <tr>
        <td>{% if k.home_return %}<span class="flag">{% translate "退房/换房要求" %}</span>{% else %}¥{{ k.amount }}{% endif %}
          {% if k.involves_construction_or_sales %}<span class="flag">{% translate "涉及工程或销售问题" %}</span>{% endif %}
          <div>{{ k.description|linebreaksbr }}</div><div class="muted">{{ k.recorded_by }} {{ k.recorded_at|date:"m-d H:i" }}</div></td>
        <td class="nowrap" data-label="{% translate "状态" %}">{{ k.get_state_display }}</td>
        <td data-label="{% translate "审批/上报" %}">{% if k.decided_by %}{% if k.route %}{% translate "上报至" %} {{ k.get_route_display }}{% elif k.approved_amount %}{% translate "批准" %} ¥{{ k.approved_amount }}{% endif %}
          <div>{{ k.decision_note|linebreaksbr }}</div><div class="muted">{{ k.decided_by }} {{ k.decided_at|date:"m-d H:i" }}</div>{% else %}—{% endif %}</td>
        <td data-label="{% translate "结果" %}">{% if k.outcome %}<b>{{ k.get_outcome_display }}</b>{% if k.outcome_amount %} ¥{{ k.outcome_amount }}{% endif %}<div>{{ k.outcome_reasons|linebreaksbr }}</div><div class="muted">{{ k.outcome_by }} {{ k.outcome_at|date:"m-d H:i" }}</div>
            {% elif k.outcome_due_at %}{% translate "结果期限" %} {{ k.outcome_due_at|minute }} <span class="{{ k.outcome_due_at|due_class }}">{{ k.outcome_due_at|countdown }}</span>{% else %}—{% endif %}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table></div>
</section>
{% endif %}
{% if c.ncrs.all %}
<section class="card" id="ncrs">
  <h2>{% translate "不合格/纠正、预防措施报告" %}</h2>
  {% for n in c.ncrs.all %}
  <div class="reply">
    <div class="reply-body">
      <h3>#{{ n.id }} <span class="state">{{ n.get_state_display }}</span></h3>
      <dl class="fields">
        <dt>{% translate "不合格事实" %}</dt><dd>{{ n.nonconformity|linebreaksbr }}</dd>
        <dt>{% translate "原因分析" %}</dt><dd>{{ n.cause|linebreaksbr }}</dd>
        <dt>{% translate "纠正措施" %}</dt><dd>{{ n.corrective_action|linebreaksbr }}</dd>
        {% if n.preventive_action %}<dt>{% translate "预防措施" %}</dt><dd>{{ n.preventive_action|linebreaksbr }}</dd>{% endif %}
        {% if n.department %}<dt>{% translate "填写部门" %}</dt><dd>{{ n.department.name }} · {{ n.drafted_by }} {{ n.drafted_at|date:"m-d H:i" }}</dd>{% endif %}
        <dt>{% translate "签发" %}</dt><dd>{% if n.issued_by %}{{ n.issued_by }} {{ n.issued_at|date:"m-d H:i" }}{% else %}<span class="due-late">{% translate "待管理者代表签发" %}</span>{% endif %}</dd>
        {% if n.closed_by %}<dt>{% translate "关闭" %}</dt><dd>{{ n.closed_by }} {{ n.closed_at|date:"m-d H:i" }}</dd>{% endif %}
      </dl>
    </div>
    <div class="reply-reviews">
      <h3>{% translate "纠正/预防措施" %}</h3>
      {% for a in n.actions.all %}<p><b>{{ a.get_kind_display }}</b> {{ a.description }}<br>
        <span class="muted">{{ a.department.name }}{% if a.responsible %} · {{ a.responsible }}{% endif %}</span> · {{ a.get_state_display }}<br>
        {% if a.state == "open" %}{% translate "期限" %} {{ a.due_at|minute }} <span class="{{ a.due_at|due_class }}">{{ a.due_at|countdown }}</span>
        {% else %}{% if a.done_note %}{% translate "落实" %}{% translate "：" %}{{ a.done_note }}{% endif %}{% if a.verify_note %}<br>{% translate "验证" %}{% translate "：" %}{{ a.verify_note }}（{{ a.verified_by }}）{% endif %}{% endif %}</p>
      {% empty %}<p class="muted">{% translate "尚未下达措施" %}</p>{% endfor %}
    </div>
  </div>
  {% endfor %}
</section>
{% endif %}
"""  # noqa: E501 (as the template had it)
OLD_PERSON = """{% load i18n nav_urls %}<div id="person">
  <dl class="fields">
    <dt>{% translate "投诉人" %}</dt><dd>{% if person.anonymous %}{% translate "匿名" %}{% else %}{{ person.name|default:"—" }} <span class="nowrap">{{ person.phone }}</span>{% if person.masked %} <span class="tag">{% translate "已脱敏" %}</span>{% endif %}{% endif %}</dd>
    <dt>{% translate "地址/房号" %}</dt><dd>{{ person.address|default:person.room|default:"—" }}</dd>
    {% if person.email %}<dt>{% translate "电子邮箱" %}</dt><dd>{{ person.email }}</dd>{% endif %}
    <dt>{% translate "投诉人数" %}</dt><dd>{{ c.people_count }}{% if person.cosigners %}（{% for s in person.cosigners %}{{ s.name }}{% if s.phone %} <span class="nowrap">{{ s.phone }}</span>{% endif %}{% if not forloop.last %}、{% endif %}{% endfor %}）{% endif %}</dd>
  </dl>
  {% if person.can_reveal %}
  <details class="no-print reveal">
    <summary>{% translate "查看完整个人信息" %}</summary>
    <form method="post" action="{% id_url 'complaints:reveal' c.id %}" hx-post="{% id_url 'complaints:reveal' c.id %}" hx-target="#person" hx-swap="outerHTML">
      {% csrf_token %}
      <label for="reveal-reason">{% translate "查看原因（将被记录，品质管理部可查）" %}</label>
      <input id="reveal-reason" name="reason" required maxlength="200"{% if reveal_error %} aria-invalid="true" aria-describedby="reveal-error"{% endif %}>
      {% if reveal_error %}<p class="error" id="reveal-error" role="alert">{{ reveal_error }}</p>{% endif %}
      <button type="submit" class="btn">{% translate "查看" %}</button>
    </form>
  </details>
  {% elif revealed %}<p class="muted">{% translate "已记录本次查看。" %}</p>{% endif %}
</div>
"""  # noqa: E501 (as the template had it)
# (`{% complainant_history c as hist %}`, agent_tags' call of history_for, given as `hist` here)
OLD_HISTORY = """{% load i18n agent_tags complaint_tags nav_urls %}{% if hist %}
<section class="card history" aria-labelledby="history-h">
  <h2 id="history-h">{% translate "该投诉人的其他投诉" %}</h2>
  <p class="muted">{% translate "同一联系电话或同一房号，仅列出您有权查看的投诉。" %}</p>
  {% if hist.rows %}<ul class="history-list">
    {% fixed_url 'complaints:list' as detail_base %}{% history_items hist.rows detail_base %}
  </ul>
  {% if hist.more %}<p><a href="{% id_url 'complaints:history' c.id %}">{% translate "查看全部" %}</a></p>{% endif %}
  {% else %}<p class="muted">{% translate "没有其他投诉。" %}</p>{% endif %}
</section>{% endif %}
"""  # noqa: E501 (as the template had it)
OLD_LINKS = """{% load i18n nav_urls %}<a href="{% fixed_url 'complaints:list' %}">← {% translate "返回列表" %}</a> · <a href="{% id_url 'complaints:receipt' c.id %}">{% translate "打印回执" %}</a>{% if not public_only %} · <a href="{% id_url 'complaints:record_form' c.id %}">{% translate "打印处理表" %}</a>{% endif %}"""  # noqa: E501 (as the template had it)
OLD_TITLE = """{% load i18n %}<h1>{{ c.subject }}</h1>
<p class="meta">
  <span class="state s-{{ c.state }}">{{ c.get_state_display }}</span>
  {% if c.severity != "normal" %}<span class="badge {{ c.severity }}">{{ c.get_severity_display }}</span>{% endif %}
  {% if c.level == "company" %}<span class="badge">{% translate "已上报公司" %}</span>{% endif %}
  <span>{% translate "回执编号" %} <b>{{ c.receipt_no }}</b></span>
  <span>{{ c.office.name }}</span>
</p>"""  # noqa: E501
OLD_DEADLINES = """{% load i18n complaint_tags %}<h2>{% translate "处理时限" %}</h2>
  {% if c.paused_at %}<p class="badge">{% blocktranslate with r=c.pause_reason t=c.resume_on|date:"Y-m-d H:i" %}已暂停计时：{{ r }}（预计 {{ t }} 恢复）{% endblocktranslate %}</p>{% endif %}
  {% if c.obligations.all %}
  <table class="obligations deadlines">
    <thead><tr><th>{% translate "事项" %}</th><th>{% translate "到期时间" %}</th><th>{% translate "状态" %}</th></tr></thead>
    <tbody>
    {% obligation_rows c.obligations.all %}
    </tbody>
  </table>
  {% else %}<p class="muted">{% translate "无" %}</p>{% endif %}"""  # noqa: E501 (as the template had it)
OLD_ATTACHMENTS = """{% load i18n agent_tags %}{% if c.attachments.all %}<h2>{% translate "附件" %}</h2><ul class="attachments">{% for a in c.attachments.all %}<li>{% if a|is_photo %}<a class="thumb" href="{% url 'complaints:attachment' c.id a.id %}"><img src="{% url 'complaints:attachment_thumb' c.id a.id %}" alt="{{ a.original_name }}" loading="lazy"></a>{% elif a.content_type|slice:":6" == "video/" %}<video class="clip" controls preload="metadata" playsinline src="{% url 'complaints:attachment' c.id a.id %}"></video>{% endif %}<a href="{% url 'complaints:attachment' c.id a.id %}">{{ a.original_name }}</a> <span class="muted">{{ a.size|filesizeformat }}</span></li>{% endfor %}</ul>{% endif %}
"""  # noqa: E501 (as the template had it)


class _Many(list):
    def all(self):  # a related manager's `.all()`, as the templates and the tags call it
        return self


class _Wrap:
    """A model instance whose relations are the given lists (unsaved objects have no managers to ask)."""

    def __init__(self, obj, **relations):
        self._obj = obj
        self._relations = relations

    def __getattr__(self, name):
        if name in self._relations:
            return self._relations[name]
        return getattr(self._obj, name)


def _wrap(obj, **relations):
    cls = type(f"Wrapped{type(obj).__name__}", (_Wrap,), {"_meta": type(obj)._meta})
    return cls(obj, **{k: _Many(v) if isinstance(v, list) else v for k, v in relations.items()})


def _people():
    return [
        User(id=1, username="a", display_name="<作者> & 'x'"),
        User(id=2, username="b", display_name='"审核人"'),
        User(id=3, username="c", display_name=""),
    ]


def _render_both(old: str, new: str, ctx: dict) -> tuple[str, str]:
    return Template(old).render(Context(ctx)), Template(new).render(Context(ctx))


def _replies() -> list:
    a, b, _c = _people()
    out = []
    states = ["draft", "in_review", "returned", "approved", "sent", "<odd>"]
    for n, state in enumerate(states):
        r = Reply(
            id=n + 1,
            number=n + 1,
            body=[MULTI, "plain", ""][n % 3],
            state=state,
            review_stages=[["qm"], [], ["qm", "general_office"]][n % 3],
            author=[a, b][n % 2],
            updated_at=NOW - timedelta(hours=n),
            sent_at=NOW if state in ("sent", "approved") and n % 2 else None,
        )
        reviews = [
            ReplyReview(
                id=10 * n + k,
                stage=["qm", "general_office", "<s>"][k % 3],
                approved=bool(k % 2),
                comment=["", MULTI, "ok"][k % 3],
                reviewer=[a, b][k % 2],
                reviewed_at=NOW - timedelta(days=k, minutes=7),
            )
            for k in range(n % 4)
        ]
        out.append(_wrap(r, reviews=reviews))
    return out


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_reply_panel_is_the_old_template(lang):
    replies = _replies()
    new_src = "{% load record_panels %}{% reply_panel c public_only review_route %}"
    with translation.override(lang):
        for shown in (replies, replies[:1], replies[4:5], []):
            c = _wrap(Complaint(id=77), replies=shown)
            for public_only in (False, True, ""):
                for route in ("提交后须经审核：品质管理部 → 办公室。", HOSTILE):
                    ctx = {"c": c, "public_only": public_only, "review_route": route}
                    old, new = _render_both(OLD_REPLIES, new_src, ctx)
                    assert new == old
                    if shown is replies and not public_only:
                        assert "&lt;script&gt;" in new and "<script>" not in new


def _owner_cases() -> list:
    a, b, _c = _people()
    fus = [
        FollowUp(id=1, round=1, method="phone", satisfaction=5, quality_score=4, opinion=HOSTILE),
        FollowUp(id=2, round=2, exemption="sensitive", opinion=""),
        FollowUp(id=3, round=3, method="<m>", satisfaction=None, quality_score=0, opinion="o"),
        FollowUp(id=4, round=1, method="", exemption="<e>"),
    ]
    ratings = [
        OwnerRating(id=1, round=1, process=5, measures=3, result=1, comment=MULTI, rated_at=NOW),
        OwnerRating(
            id=2, round=2, process=1, measures=2, result=4, comment="", rated_at=NOW - timedelta(days=40)
        ),
    ]
    reviews = [
        None,
        SecondReview(id=1, reason=MULTI, requested_at=NOW),
        SecondReview(
            id=2,
            reason="r",
            requested_at=NOW,
            outcome="reopened",
            decision=MULTI,
            decided_by=a,
            decided_at=NOW + timedelta(hours=3),
        ),
        SecondReview(id=3, reason="", requested_at=NOW, outcome="<o>", decision="", decided_at=NOW),
    ]
    cases = []
    for n in range(8):
        cases.append(
            _wrap(
                Complaint(id=80 + n),
                follow_ups=[fus[: n % 5], fus[3:]][n % 2],
                owner_ratings=[ratings, [], ratings[1:]][n % 3],
                second_review=reviews[n % 4],
            )
        )
    cases.append(_wrap(Complaint(id=99), follow_ups=[], owner_ratings=[], second_review=None))
    return cases


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_owner_answers_are_the_old_template(lang):
    new_src = "{% load record_panels %}{% owner_answers c public_only %}"
    with translation.override(lang):
        for c in _owner_cases():
            for public_only in (False, True, ""):
                old, new = _render_both(OLD_OWNER_ANSWERS, new_src, {"c": c, "public_only": public_only})
                assert new == old


def _seed2_cases() -> list:
    a, b, c3 = _people()
    dept = Department(id=5, name="<工程部> & 'x'")
    claims = [
        CompensationClaim(
            id=1,
            amount=Decimal("0"),
            home_return=True,
            involves_construction_or_sales=True,
            description=MULTI,
            state="escalated",
            recorded_by=a,
            recorded_at=NOW,
            decided_by=b,
            decided_at=NOW,
            decision_note=HOSTILE,
            route="developer",
        ),
        CompensationClaim(
            id=2,
            amount=Decimal("1234.50"),
            description=HOSTILE,
            state="settled",
            recorded_by=b,
            recorded_at=NOW,
            decided_by=a,
            decided_at=NOW,
            approved_amount=Decimal("1000.00"),
            outcome="partly",
            outcome_amount=Decimal("800.5"),
            outcome_reasons=MULTI,
            outcome_by=c3,
            outcome_at=NOW,
        ),
        CompensationClaim(
            id=3,
            amount=Decimal("99.99"),
            description="d",
            state="escalated",
            recorded_by=a,
            recorded_at=NOW,
            decided_by=a,
            decided_at=NOW,
            route="<r>",
            outcome_due_at=NOW + timedelta(hours=1),
        ),
        CompensationClaim(
            id=4,
            amount=Decimal("5"),
            description="",
            state="pending",
            recorded_by=a,
            recorded_at=NOW,
            outcome_due_at=NOW - timedelta(days=2, hours=5),
        ),
        CompensationClaim(
            id=5,
            amount=Decimal("7"),
            description="x",
            state="<s>",
            recorded_by=a,
            recorded_at=NOW,
            decided_by=b,
            decided_at=NOW,
            outcome="refused",
            outcome_amount=None,
        ),
    ]
    actions = [
        CorrectiveAction(
            id=1,
            kind="corrective",
            description=HOSTILE,
            department=dept,
            responsible=a,
            state="open",
            due_at=NOW + timedelta(days=1, hours=3),
        ),
        CorrectiveAction(
            id=2,
            kind="preventive",
            description="p",
            department=dept,
            state="verified",
            due_at=NOW,
            done_note=HOSTILE,
            verify_note=MULTI,
            verified_by=b,
        ),
        CorrectiveAction(id=3, kind="<k>", description="q", department=dept, state="done", due_at=NOW),
        CorrectiveAction(
            id=4,
            kind="preventive",
            description="",
            department=Department(id=6, name=""),
            state="open",
            due_at=NOW - timedelta(minutes=30),
        ),
    ]
    ncrs = [
        _wrap(
            NonconformityReport(
                id=11,
                nonconformity=MULTI,
                cause=HOSTILE,
                corrective_action=MULTI,
                preventive_action=HOSTILE,
                state="draft",
                department=dept,
                drafted_by=a,
                drafted_at=NOW,
            ),
            actions=[],
        ),
        _wrap(
            NonconformityReport(
                id=12,
                nonconformity="n",
                cause="c",
                corrective_action="a",
                state="closed",
                issued_by=b,
                issued_at=NOW,
                closed_by=a,
                closed_at=NOW,
            ),
            actions=actions,
        ),
        _wrap(
            NonconformityReport(
                id=13, nonconformity="", cause="", corrective_action="", state="<x>", issued_by=c3
            ),
            actions=actions[2:],
        ),
    ]
    cases = []
    for n in range(6):
        cases.append(
            _wrap(Complaint(id=90 + n), claims=[claims, [], claims[3:]][n % 3], ncrs=[ncrs, ncrs[1:]][n % 2])
        )
    cases.append(_wrap(Complaint(id=97), claims=[], ncrs=[]))
    cases.append(_wrap(Complaint(id=98), claims=claims[:1], ncrs=[]))
    return cases


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_seed2_panels_are_the_old_template(lang):
    with time_machine.travel(NOW, tick=False), translation.override(lang):
        for c in _seed2_cases():
            old, new = _render_both(OLD_SEED2, "{% load record_panels %}{% seed2_panels c %}", {"c": c})
            assert new == old


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_attachment_list_is_the_old_template(lang):
    files = [
        Attachment(id=1, original_name=HOSTILE + ".jpg", content_type="image/jpeg", size=2048),
        Attachment(id=22, original_name="clip&1.mp4", content_type="video/mp4", size=5_000_000),
        Attachment(id=333, original_name="a\"b'.pdf", content_type="application/pdf", size=123),
        Attachment(id=4, original_name="", content_type="image/png", size=0),
        Attachment(id=5, original_name="v", content_type="video", size=1024**3 * 3),
    ]
    with translation.override(lang):
        for shown in (files, files[2:3], []):
            c = _wrap(Complaint(id=123), attachments=shown)
            old, new = _render_both(
                OLD_ATTACHMENTS, "{% load record_panels %}{% attachment_list c %}", {"c": c}
            )
            assert new == old


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_person_panel_is_the_old_template(lang):
    from django.template.loader import get_template

    from docket.complaints.privacy import CoSignerView, Person

    cosigners = [
        CoSignerView(HOSTILE, "138****0000", "1-2-301"),
        CoSignerView("王*", "", ""),
        CoSignerView("", "1&2", ""),
    ]
    people = [
        Person(anonymous=True, name="", phone="", email="", address="", room=""),
        Person(
            anonymous=False, name=HOSTILE, phone="13800000000", email="a&b@<x>.cn", address=HOSTILE, room="r"
        ),
        Person(
            anonymous=False,
            name="",
            phone="",
            email="",
            address="",
            room="<3>-1",
            masked=True,
            can_reveal=True,
        ),
        Person(
            anonymous=False, name="张*", phone="138****", email="", address="", room="", cosigners=cosigners
        ),
        Person(
            anonymous=False, name="n", phone="p", email="", address="a", room="", cosigners=cosigners[1:2]
        ),
        Person(
            anonymous=True, name="", phone="", email="", address="", room="", can_reveal=True, masked=True
        ),
    ]
    page = get_template("complaints/_person.html")  # what the reveal view renders
    with translation.override(lang):
        for n, person in enumerate(people):
            c = Complaint(id=5 + n, people_count=[1, 3, 12, 1000][n % 4])
            for extra in (
                {},
                {"revealed": True},
                {"reveal_error": HOSTILE},
                {"reveal_error": "", "revealed": False},
                {"csrf_token": "tok&<en>"},
                {"csrf_token": "NOTPROVIDED", "revealed": True},
            ):
                ctx = {"c": c, "person": person, **extra}
                old, new = _render_both(OLD_PERSON, "{% load record_panels %}{% person_panel %}", ctx)
                assert new == old
                assert page.render(ctx) == old


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_history_panel_is_the_old_template(lang, monkeypatch):
    from django.test import RequestFactory

    from docket.complaints.history import History

    rows = [
        Complaint(id=7, receipt_no="TS-2026-0001", state="closed", received_at=NOW, subject=HOSTILE),
        Complaint(id=12345, receipt_no="<r>&", state="<odd>", received_at=None, subject=""),
        Complaint(
            id=9, receipt_no="TS-9", state="accepted", received_at=NOW - timedelta(days=400), subject="s"
        ),
    ]
    answers = [
        None,
        History(rows=[], more=False),
        History(rows=rows, more=False),
        History(rows=rows[:1], more=True),
    ]
    request = RequestFactory().get("/complaints/3/")
    request.user = User(id=3, username="u")
    with translation.override(lang):
        for hist in answers:
            monkeypatch.setattr("docket.complaints.history.history_for", lambda user, c, hist=hist: hist)
            ctx = {"c": Complaint(id=3), "hist": hist, "request": request}
            old, new = _render_both(OLD_HISTORY, "{% load record_panels %}{% history_panel c %}", ctx)
            assert new == old


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_complaint_links_and_title_are_the_old_template(lang):
    from docket.org.models import Office

    cases = []
    for n in range(6):
        c = Complaint(
            id=[1, 42, 987_654, 2**31, 5, 6][n],
            subject=[HOSTILE, "", "普通主题", MULTI, "a", "b"][n],
            state=["accepted", "closed", "<odd>", "withdrawn", "investigating", "replied"][n],
            severity=["normal", "hot", "major", "<x>&", "", "normal"][n],
            level=["office", "company", "", "company", "office", "<c>"][n],
            receipt_no=["TS-1", "<r>&'\"", "", "TS-4", "TS-5", "TS-6"][n],
        )
        c.office = Office(id=n + 1, name=["管理处", HOSTILE, "", "o", "p", "q"][n])
        cases.append(c)
    with translation.override(lang):
        for c in cases:
            for public_only in (False, True, ""):
                ctx = {"c": c, "public_only": public_only}
                old, new = _render_both(
                    OLD_LINKS, "{% load record_panels %}{% complaint_links c public_only %}", ctx
                )
                assert new == old
            old, new = _render_both(OLD_TITLE, "{% load record_panels %}{% complaint_title c %}", {"c": c})
            assert new == old


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_deadlines_are_the_old_template(lang):
    from docket.complaints.models import Obligation

    obligations = [
        Obligation(
            id=1, kind="first_contact", state="open", due_at=NOW + timedelta(hours=1), provisional=True
        ),
        Obligation(id=2, kind="reply", state="met", due_at=NOW, met_at=NOW - timedelta(hours=2)),
        Obligation(id=3, kind="<k>", state="missed", due_at=NOW - timedelta(days=3)),
        Obligation(id=4, kind="reply", state="<s>", due_at=NOW),
    ]
    cases = [
        _wrap(Complaint(id=1), obligations=obligations),
        _wrap(
            Complaint(id=2, paused_at=NOW, pause_reason=HOSTILE, resume_on=NOW + timedelta(days=2)),
            obligations=[],
        ),
        _wrap(Complaint(id=3, paused_at=NOW, pause_reason="", resume_on=None), obligations=obligations[1:2]),
        _wrap(Complaint(id=4, paused_at=None, pause_reason="x"), obligations=[]),
    ]
    with time_machine.travel(NOW, tick=False), translation.override(lang):
        for c in cases:
            old, new = _render_both(OLD_DEADLINES, "{% load record_panels %}{% deadlines c %}", {"c": c})
            assert new == old
