"""The tags that replaced template loops in tpl write what the loops wrote (issue 14, "Speed of the daily
paths"): the top bar (`top_bar`), the list's and the queue's rows as one tag (`list_rows_html`,
`queue_rows_html`), the complaint page's issues (`issue_items`), an object's URLs (`id_url`, `fixed_url`) and
the timeline's payload order. Markup, quotes and ampersands in every value; both languages."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from docket.accounts.models import User
from docket.complaints import kinds
from docket.complaints.models import Complaint, ComplaintIssue, IssueAnswer, State
from docket.complaints.templatetags import complaint_tags
from docket.core import clock
from docket.core.templatetags.nav_urls import fixed_url, id_url
from docket.org.models import Department, Office

# The old templates rendered beside the new tags include Django's {% csrf_token %}, which without a token
# calls format_html("") (deprecated in Django 5.2, Django's own code): not ours to change.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Calling format_html\\(\\) without passing args:DeprecationWarning"
)

HOSTILE = "<script>alert(\"x\")</script> & 'q'"
NOW = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)

# base.html's <header> before tpl (with its two includes, which stay as they were).
OLD_TOP_BAR = """{% load i18n nav_urls %}{% get_current_language as LANG %}<header class="topbar no-print">
  <a class="brand" href="/">Docket <small>{% translate "物业顾客投诉处理系统" %}</small></a>
  {% nav_urls as top_urls %}{% if user.is_authenticated %}<form class="top-search" role="search" method="get" action="{{ top_urls.search }}">
    <input type="search" name="q" value="{{ request.GET.q|default:'' }}" placeholder="{% translate '编号、主题、电话后四位、姓名、房号' %}" aria-label="{% translate '搜索投诉' %}">
    <button type="submit">{% translate "搜索" %}</button>
  </form>
  <button type="button" class="menu-button" aria-controls="top-nav" aria-expanded="false" data-menu>{% translate "菜单" %}</button>{% endif %}
  <nav id="top-nav">
    {% if user.is_authenticated %}
      <a href="{{ top_urls.work }}">{% translate "我的待办" %}</a>
      {% if nav_can_register %}<a href="{{ top_urls.new }}">{% translate "登记投诉" %}</a>{% endif %}
      <a href="{{ top_urls.list }}">{% translate "投诉列表" %}</a>
      <a href="{{ top_urls.duties }}">{% translate "定期报告" %}</a>
      <a href="{{ top_urls.statistics }}">{% translate "统计分析" %}</a>
      <a href="{{ top_urls.incidents }}">{% translate "突发事件" %}</a>
      {% if nav_cases %}<a href="{{ top_urls.cases }}">{% translate "案例库" %}</a>{% endif %}
      {% if nav_escalation %}<a href="{{ top_urls.escalation }}">{% translate "热点/重大投诉" %}</a>{% endif %}
      {% if nav_front_desk %}<a href="{{ top_urls.reconciliation }}">{% translate "日盘点" %}</a>
      <a href="{{ top_urls.box_log }}">{% translate "意见箱" %}</a>
      <a href="{{ top_urls.delivery_failures }}">{% translate "通知发送失败" %}</a>{% endif %}
      {% include "_nav_agent.html" %}{# agent features (issue 14): reply templates, in-app notices #}
      {% if nav_privacy %}<a href="{{ top_urls.privacy_log }}">{% translate "个人信息" %}</a>{% endif %}
      <a class="who" href="{{ top_urls.otp_setup }}" title="{% translate '两步验证' %}">{{ user }}</a>
      <form method="post" action="{{ top_urls.logout }}" class="inline">{% csrf_token %}<button class="link">{% translate "退出" %}</button></form>
    {% endif %}
    <form action="{{ top_urls.set_language }}" method="post" class="inline">{% csrf_token %}
      <input name="next" type="hidden" value="{{ request.get_full_path }}">
      <select name="language" aria-label="{% translate '语言' %}" data-autosubmit>
        {% get_available_languages as LANGUAGES %}
        {% for code, name in LANGUAGES %}<option value="{{ code }}"{% if code == LANG %} selected{% endif %}>{{ name }}</option>{% endfor %}
      </select>
    </form>
  </nav>
</header>"""  # noqa: E501 (as base.html had it)
NEW_TOP_BAR = "{% load top_bar %}{% top_bar %}"


def _user(name: str, roles: list[str]) -> User:
    user = User(id=41, username="u41", display_name=name, is_active=True)
    # complaints/context.nav and replies_nav read the roles loaded once per request (accounts.access)
    user._docket_role_assignments = [SimpleNamespace(role=r) for r in roles]  # type: ignore[attr-defined]
    return user


def _render(source: str, request, extra: dict) -> str:
    context = RequestContext(request)
    context.push(extra)  # above the context processors' answers (the nav flags, the csrf token)
    return Template(source).render(context)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_top_bar_is_the_old_header(lang, monkeypatch):
    from django.contrib.auth.models import AnonymousUser

    unread = {"n": 0}
    monkeypatch.setattr("docket.notifications.templatetags.inbox.unread_count", lambda user: unread["n"])
    rf = RequestFactory()
    users = [
        AnonymousUser(),
        _user(HOSTILE, ["dept_supervisor"]),
        _user("委员", ["committee_member"]),
    ]
    flags = [
        {
            "nav_can_register": False,
            "nav_escalation": False,
            "nav_front_desk": False,
            "nav_privacy": False,
            "nav_cases": False,
        },
        {
            "nav_can_register": True,
            "nav_escalation": True,
            "nav_front_desk": True,
            "nav_privacy": True,
            "nav_cases": True,
        },
    ]
    with translation.override(lang):
        for user in users:
            for nav in flags:
                for n in (0, 7, 99, 100, 1234):
                    unread["n"] = n
                    for query in ("", "?q=" + "%3Cb%3E%26%22", "?page=2&q=a&q=b%27"):
                        request = rf.get("/complaints/work/" + query)
                        request.user = user
                        for token in ("tok<&>\"'", "NOTPROVIDED", ""):
                            extra = {**nav, "csrf_token": token}
                            assert _render(NEW_TOP_BAR, request, extra) == _render(
                                OLD_TOP_BAR, request, extra
                            )


def _row(n: int, **kw) -> Complaint:
    c = Complaint(
        id=100 + n,
        receipt_no=f"R-{n}<&>",
        subject=HOSTILE + f" {n}",
        state=kw.pop("state", State.values[n % len(State.values)]),
        kind=kw.pop("kind", "complaint"),
        severity=kw.pop("severity", "normal"),
        received_at=NOW - timedelta(days=n, minutes=7 * n),
        **kw,
    )
    if n % 3:
        c.office = Office(id=5, name="<管理处> & 'x'")
    if n % 4:
        c.holder_department = Department(id=6, name='"工程部" & <b>')
    return c


def _rows() -> list[Complaint]:
    dues = [None, NOW + timedelta(minutes=30), NOW + timedelta(hours=5), NOW - timedelta(days=2, hours=3)]
    rows = []
    for n in range(16):
        rows.append(
            _row(
                n,
                next_due_at=dues[n % 4],
                paused_at=NOW if n % 8 == 0 else None,
                severity=["normal", "hot", "major", "<odd>"][n % 4],
                kind=["complaint", "suggestion", "no-such-kind"][n % 3],
                state=[*State.values, "no-such-state"][n % (len(State.values) + 1)],
            )
        )
    return rows


# complaints/_rows.html's loop as a template before pagecpu (no bulk column): the reference for every cell.
OLD_LIST_LOOP = """{% load i18n complaint_tags %}{% for c in page %}
    <tr>
      <td data-label="{% translate '回执编号' %}"><a class="num" href="{% url 'complaints:detail' c.id %}">{{ c.receipt_no }}</a></td>
      <td class="subject">{% if c.severity != "normal" %}<span class="badge {{ c.severity }}">{{ c|label:"severity" }}</span> {% endif %}{{ c.subject }}</td>
      <td data-label="{% translate '管理处' %}">{{ c.office.name }}</td>
      <td data-label="{% translate '类别' %}">{{ c|label:"kind" }}</td>
      <td data-label="{% translate '状态' %}"><span class="state s-{{ c.state }}">{{ c|label:"state" }}</span></td>
      <td data-label="{% translate '当前处理部门' %}">{{ c.holder_department.name|default:"—" }}</td>
      <td data-label="{% translate '最近到期' %}">{% if c.next_due_at %}<span class="num {{ c.next_due_at|due_class }}" title="{{ c.next_due_at|minute }}">{{ c.next_due_at|countdown }}</span>{% elif c.paused_at %}<span class="muted">{% translate "已暂停计时" %}</span>{% else %}—{% endif %}</td>
      <td data-label="{% translate '受理时间' %}"><span class="num">{{ c.received_at|minute }}</span></td>
    </tr>
  {% endfor %}"""  # noqa: E501

OLD_QUEUE_LOOP = """{% load i18n complaint_tags %}{% for c in items %}
    <tr class="{% for code, l in c.reasons %}r-{{ code }} {% endfor %}">
      <td class="next" data-label="{% translate '待我处理' %}">{% if c.step and not c.step.action %}<span class="waiting-step">{{ c.step.label }}</span>{% elif c.step %}<a class="btn btn-small primary" href="{% url 'complaints:detail' c.id %}?do={{ c.step.action }}" data-action="{{ c.step.action }}">{{ c.step.label }}</a>{% else %}<span class="muted">{% translate "查看" %}</span>{% endif %}
        {% for code, l in c.reasons %}<span class="why why-{{ code }}">{{ l }}</span>{% endfor %}</td>
      <td data-label="{% translate '回执编号' %}"><a class="num" href="{% url 'complaints:detail' c.id %}">{{ c.receipt_no }}</a></td>
      <td class="subject">{% if c.severity != "normal" %}<span class="badge {{ c.severity }}">{{ c|label:"severity" }}</span> {% endif %}{{ c.subject }}</td>
      <td data-label="{% translate '状态' %}"><span class="state s-{{ c.state }}">{{ c|label:"state" }}</span></td>
      <td data-label="{% translate '最近到期' %}">{% if c.next_due_at %}<span class="num {{ c.next_due_at|due_class }}" title="{{ c.next_due_at|minute }}">{{ c.next_due_at|countdown }}</span>{% elif c.paused_at %}<span class="muted">{% translate "已暂停计时" %}</span>{% else %}—{% endif %}</td>
      <td data-label="{% translate '管理处' %}">{{ c.office.name }}</td>
      <td data-label="{% translate '当前处理部门' %}">{{ c.holder_department.name|default:"—" }}</td>
      <td data-label="{% translate '受理时间' %}"><span class="num">{{ c.received_at|minute }}</span></td>
    </tr>
  {% endfor %}"""  # noqa: E501

LOOP_OF_ROW_TAGS = (
    "{% load complaint_tags %}{% url 'complaints:list' as base %}"
    "{% for c in page %}\n    {% list_row c base bulk %}\n  {% endfor %}"
)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_rows_in_one_tag_are_the_template_loops(lang):
    from django.utils.translation import gettext_lazy

    rows = _rows()
    for n, c in enumerate(rows):
        if n % 2:
            c.step = SimpleNamespace(action="accept<&>", label=gettext_lazy("接单"))
        elif n % 4 == 2:  # a note of whom the row waits for (infoofficer)
            c.step = SimpleNamespace(
                action="", label=gettext_lazy("待责任部门接单") if n % 8 == 2 else "<b>x</b>"
            )
        c.reasons = [("overdue", gettext_lazy("已逾期")), ("x<&>", "<b>why</b>")][: n % 3]
    with clock.travel(NOW), translation.override(lang):
        ctx = {"page": rows, "items": rows}
        list_new = Template(
            "{% load complaint_tags %}{% url 'complaints:list' as base %}{% list_rows_html page base %}"
        ).render(Context(ctx))
        assert list_new == Template(OLD_LIST_LOOP).render(Context(ctx))
        queue_new = Template(
            "{% load complaint_tags %}{% url 'complaints:list' as base %}{% queue_rows_html items base %}"
        ).render(Context(ctx))
        assert queue_new == Template(OLD_QUEUE_LOOP).render(Context(ctx))
        for bulk in (False, True):
            looped = Template(LOOP_OF_ROW_TAGS).render(Context({**ctx, "bulk": bulk}))
            one = Template(
                "{% load complaint_tags %}{% url 'complaints:list' as base %}{% list_rows_html page base bulk %}"
            ).render(Context({**ctx, "bulk": bulk}))
            assert one == looped
        assert "<script>" not in list_new and "&lt;script&gt;" in list_new
        assert (
            Template("{% load complaint_tags %}{% list_rows_html page 'x' %}").render(Context({"page": []}))
            == ""
        )


# complaints/detail.html's issues loop before tpl.
OLD_ISSUES = """{% load i18n complaint_tags %}{% for i in issues %}
    <li><b>{{ i.summary }}</b> <span class="muted">{{ i.category|default:"" }}</span>
      <div>{% translate "责任部门" %}{% translate "：" %}{{ i.department.name|default:"—" }}{% if i.responsible and not public_only %} · {{ i.responsible }}{% endif %} · {{ i|label:"state" }}</div>
      {% if not public_only %}
      {% if i.findings %}<div>{% translate "调查情况" %}{% translate "：" %}{{ i.findings }}</div>{% endif %}
      {% if i.measures %}<div>{% translate "处理措施" %}{% translate "：" %}{{ i.measures }}</div>{% endif %}
      {% if i.verification_note %}<div>{% translate "验证" %}{% translate "：" %}{{ i.verification_note }}（{{ i.verified_by }}）</div>{% endif %}
      {% endif %}
      {% for a in i.answers.all %}{% if not public_only or a.state == "sent" %}
      <div class="issue-answer" data-issue-answer="{{ a.number }}">{% translate "单项答复" %} #{{ a.number }}{% if not public_only %}（{{ a.get_state_display }}{% if a.pending_stage %} · {% translate "待审核" %}{% endif %}）{% endif %}{% translate "：" %}{{ a.body|linebreaksbr }}{% if a.sent_at %} <span class="muted">{% translate "已发送" %} {{ a.sent_at|date:"Y-m-d H:i" }}</span>{% endif %}</div>
      {% endif %}{% endfor %}
    </li>
  {% endfor %}"""  # noqa: E501


class _Answers(list):
    def all(self):  # the related manager's `.all()` as the tag calls it
        return self


def _issues() -> list[ComplaintIssue]:
    out = []
    for n in range(6):
        issue = ComplaintIssue(
            id=n + 1,
            summary=HOSTILE,
            state=["open", "verified", "no-such-state", "closed", "investigating", "done"][n],
            findings="f <x>\r\n & y" if n % 2 else "",
            measures="m'&" if n % 3 else "",
            verification_note="v<&>" if n < 3 else "",
        )
        if n % 2:
            issue.department = Department(id=3, name="<部门> & 'd'")
        if n % 3 == 1:
            issue.department = Department(id=4, name="")
        if n in (1, 4):
            issue.responsible = User(id=7, username="r", display_name="<负责人>&")
        if n == 2:
            issue.verified_by = User(id=8, username="v", display_name="验证人 & <b>")
        answers = _Answers(
            IssueAnswer(
                number=k + 1, body=f'b{k} <&>\r\nline2 "q"\rthree', state=st, pending_stage=ps, sent_at=at
            )
            for k, (st, ps, at) in enumerate(
                [
                    ("sent", "", NOW),
                    ("in_review", "qm", None),
                    ("returned", "", None),
                    ("approved", "", None),
                ][: n % 5]
            )
        )
        issue.answers_list = answers  # type: ignore[attr-defined]
        out.append(issue)
    return out


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_issue_items_are_the_template_loop(lang):
    issues = _issues()

    class _Issue:  # an issue whose `answers` are these (unsaved) answers
        _meta = ComplaintIssue._meta

        def __init__(self, issue):
            self._issue = issue

        def __getattr__(self, name):
            if name == "answers":
                return self._issue.answers_list
            return getattr(self._issue, name)

    wrapped = [_Issue(i) for i in issues]
    with translation.override(lang):
        for public_only in (False, True, ""):
            old = Template(OLD_ISSUES).render(Context({"issues": wrapped, "public_only": public_only}))
            new = Template("{% load complaint_tags %}{% issue_items issues public_only %}").render(
                Context({"issues": wrapped, "public_only": public_only})
            )
            assert new == old
            assert "<script>" not in new and "&lt;script&gt;" in new


def test_id_url_and_fixed_url_are_reverse():
    for pk in (1, 42, 987_654_321, 2**40):
        for name in (
            "complaints:detail",
            "complaints:receipt",
            "complaints:record_form",
            "complaints:history",
        ):
            assert id_url(name, pk) == reverse(name, args=[pk])
        assert id_url("complaints:reply_letter", pk, 3) == reverse("complaints:reply_letter", args=[pk, 3])
        for action in ("accept", "hand_over", "close_unclosed"):
            assert id_url("complaints:action", pk, action) == reverse("complaints:action", args=[pk, action])
    assert fixed_url("complaints:list") == reverse("complaints:list")
    out = Template("{% load nav_urls %}{% id_url 'complaints:receipt' c.id %}").render(
        Context({"c": SimpleNamespace(id=9)})
    )
    assert out == Template("{% url 'complaints:receipt' c.id %}").render(
        Context({"c": SimpleNamespace(id=9)})
    )


def test_event_details_follow_the_payload_labels_order():
    assert len({key for key, _label in kinds.PAYLOAD_LABELS}) == len(
        kinds.PAYLOAD_LABELS
    )  # the index's premise
    payload = {key: f"v-{n}" for n, (key, _label) in reversed(list(enumerate(kinds.PAYLOAD_LABELS)))}
    payload["not-a-labelled-key"] = "x"
    payload[kinds.PAYLOAD_LABELS[3][0]] = ""  # empty values are left out
    rows = complaint_tags.event_details(SimpleNamespace(kind="", payload=payload))
    assert rows == [(str(label), f"v-{n}") for n, (_key, label) in enumerate(kinds.PAYLOAD_LABELS) if n != 3]


# complaints/_filters.html before tpl.
OLD_FILTERS = """{% load i18n complaint_tags %}{# option lists: complaint_tags (pagecpu) #}<form class="filters" method="get" role="search">
  <label>{% translate "状态" %}
    <select name="state"><option value="">{% translate "全部" %}</option>
      {% choice_options states filters.state %}
    </select></label>
  {% if view %}<input type="hidden" name="view" value="{{ view }}">{% endif %}
  <label>{% translate "编号或主题" %}<input name="q" value="{{ filters.q }}"></label>
  {% if with_sort %}<label>{% translate "排序" %}
    <select name="sort">
      <option value="received"{% if filters.sort != "due" %} selected{% endif %}>{% translate "受理时间（新→旧）" %}</option>
      <option value="due"{% if filters.sort == "due" %} selected{% endif %}>{% translate "到期时间（近→远）" %}</option>
    </select></label>
  <label class="check"><input type="checkbox" name="open" value="1"{% if filters.open_only %} checked{% endif %}> {% translate "仅未结案" %}</label>{% endif %}
  <label class="check"><input type="checkbox" name="overdue" value="1"{% if filters.overdue %} checked{% endif %}> {% translate "仅已逾期" %}</label>
  <details class="more-filters"{% if filters.kind or filters.office_id or filters.department_id or filters.category_id or filters.channel or filters.method or filters.received_from or filters.received_to %} open{% endif %}>
    <summary>{% translate "更多筛选" %}</summary>
  <label>{% translate "类别" %}
      <select name="kind"><option value="">{% translate "全部" %}</option>
        {% choice_options kinds filters.kind %}
      </select></label>
    {% if offices|length > 1 %}<label>{% translate "管理处" %}
      <select name="office"><option value="">{% translate "全部" %}</option>
        {% office_options offices filters.office_id %}
      </select></label>{% endif %}
    <label>{% translate "部门" %}
      <select name="department"><option value="">{% translate "全部" %}</option>
        {% department_options departments filters.department_id offices %}
      </select></label>
    <label>{% translate "问题分类" %}
      <select name="category"><option value="">{% translate "全部" %}</option>
        {% category_options categories filters.category_id %}
      </select></label>
    <label>{% translate "渠道" %}
      <select name="channel"><option value="">{% translate "全部" %}</option>
        {% choice_options channels filters.channel %}
      </select></label>
    <label>{% translate "方式" %}
      <select name="method"><option value="">{% translate "全部" %}</option>
        {% choice_options methods filters.method %}
      </select></label>
    <label>{% translate "受理日期从" %}
      <input type="date" name="received_from" value="{{ filters.received_from|date:'Y-m-d' }}"></label>
    <label>{% translate "至" %}
      <input type="date" name="received_to" value="{{ filters.received_to|date:'Y-m-d' }}"></label>
  </details>
  <button type="submit">{% translate "筛选" %}</button>
  {% if request.GET %}<a href="?">{% translate "清除筛选" %}</a>{% endif %}
</form>
"""  # noqa: E501


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_filter_form_is_the_old_template(lang):
    from datetime import date

    from docket.complaints.models import Category, Channel, Kind, Method
    from docket.complaints.selectors import ListFilters

    offices = [Office(id=1, name="<一> & 'x'"), Office(id=2, name='"二"')]
    departments = [
        Department(id=3, name="<工程部>", office=offices[0]),
        Department(id=4, name="客服&部", office=None),
    ]
    categories = [Category(id=5, name="<漏水>", parent_id=None), Category(id=6, name="'管'&", parent_id=5)]
    everything = ListFilters(
        state="accepted",
        office_id=2,
        department_id=3,
        category_id=6,
        channel=Channel.values[0],
        method=Method.values[0],
        kind=Kind.values[1],
        q=HOSTILE,
        overdue=True,
        open_only=True,
        received_from=date(2026, 1, 2),
        received_to=date(999, 12, 3),
        sort="due",
    )
    rf = RequestFactory()
    with translation.override(lang):
        for filters in (
            ListFilters(),
            everything,
            ListFilters(sort="due", received_to=date(2026, 3, 4), overdue=True),
            ListFilters(open_only=True, office_id=1, state="<x>"),
            None,
        ):
            for with_sort in (True, False, None):
                for view in ("", "overdue", "<x>&"):
                    for office_list in ([], offices[:1], offices):
                        for query in ("", "?state=accepted"):
                            ctx = {
                                "states": State.choices,
                                "kinds": Kind.choices,
                                "channels": Channel.choices,
                                "methods": Method.choices,
                                "offices": office_list,
                                "departments": departments,
                                "categories": categories,
                                "filters": filters,
                                "view": view,
                                "request": rf.get("/complaints/" + query),
                            }
                            if with_sort is not None:
                                ctx["with_sort"] = with_sort
                            old = Template(OLD_FILTERS).render(Context(ctx))
                            new = Template("{% include 'complaints/_filters.html' %}").render(Context(ctx))
                            assert new == old


OLD_SHORTCUTS = """{% load i18n static %}{% if user.is_authenticated %}<script src="{% static 'docket/shortcuts.js' %}" defer></script>
<dialog id="kb-help" class="kb-help" aria-labelledby="kb-help-h">
  <h2 id="kb-help-h">{% translate "键盘快捷键" %}</h2>
  <dl>
    <dt><kbd>j</kbd> / <kbd>k</kbd></dt><dd>{% translate "列表中下一条 / 上一条" %}</dd>
    <dt><kbd>Enter</kbd></dt><dd>{% translate "打开选中的一条" %}</dd>
    <dt><kbd>a</kbd></dt><dd>{% translate "投诉页面：打开主要操作" %}</dd>
    <dt><kbd>?</kbd></dt><dd>{% translate "显示 / 关闭本帮助" %}</dd>
  </dl>
  <p class="muted">{% translate "在输入框中输入时快捷键不起作用。" %}</p>
  <button type="button" data-kb-close>{% translate "关闭" %}</button>
</dialog>{% endif %}
"""


def test_shortcuts_kept_per_language_are_the_old_dialog():
    from django.contrib.auth.models import AnonymousUser

    for _round in range(2):  # the first rendering is kept, the second given again
        for lang in ("zh-hans", "en", "zh-hans"):
            with translation.override(lang):
                for user in (AnonymousUser(), _user("x", [])):
                    ctx = {"user": user}
                    new = Template("{% include '_shortcuts.html' %}").render(Context(ctx))
                    assert new == Template(OLD_SHORTCUTS).render(Context(ctx))


# complaints/detail.html's record card before tpl (the complainant's include stands as PERSON).
OLD_CARD = """{% load i18n %}  <dl class="fields">
    <dt>{% translate "类别" %}</dt><dd>{{ c.get_kind_display }}</dd>
    <dt>{% translate "渠道 / 方式" %}</dt><dd>{{ c.get_channel_display }} / {{ c.get_method_display }}</dd>
    {% if c.complainant_type %}<dt>{% translate "投诉人类型" %}</dt><dd data-complainant-type="{{ c.complainant_type }}">{{ c.get_complainant_type_display }}</dd>{% endif %}
    {% if public_only or person.masked %}{% with where=c.where_masked %}{% if where %}<dt>{% translate "发生地点" %}</dt><dd>{{ where }}</dd>{% endif %}{% endwith %}
    {% else %}{% with where=c.where %}{% if where %}<dt>{% translate "发生地点" %}</dt><dd>{{ where }}</dd>{% endif %}{% endwith %}{% endif %}
  </dl>
  PERSON
  <dl class="fields">
    <dt>{% translate "受理时间" %}</dt><dd>{{ c.received_at|date:"Y-m-d H:i" }}{% if not public_only %}{% translate "，" %}{{ c.received_by|default:"—" }}{% endif %}</dd>
    <dt>{% if c.is_open %}{% translate "当前处理" %}{% else %}{% translate "最后处理" %}{% endif %}</dt><dd>{{ c.holder_department.name|default:"—" }}{% if c.holder and not public_only %} · {{ c.holder }}{% endif %}</dd>
    {% if not public_only %}<dt>{% translate "责任人" %}</dt><dd>{{ c.responsible|default:"—" }}</dd>{% endif %}
    {% if c.forwarded_by %}<dt>{% translate "转交单位" %}</dt><dd>{{ c.forwarded_by }} {{ c.forwarder_ref }}</dd>{% endif %}
  </dl>
  <h3>{% translate "投诉内容" %}</h3>
  <p class="prose">{{ c.description|linebreaksbr }}</p>
  {% if c.demand %}<h3>{% translate "顾客诉求" %}</h3><p class="prose">{{ c.demand|linebreaksbr }}</p>{% endif %}
  {% if not public_only %}<p class="flags">
    {% if c.lawsuit_filed %}<span class="flag">{% translate "已提起诉讼" %}</span>{% endif %}
    {% if c.media_exposed %}<span class="flag">{% translate "已被媒体曝光" %}</span>{% endif %}
    {% if c.legal_or_media_risk %}<span class="flag">{% translate "可能引发诉讼或媒体曝光" %}</span>{% endif %}
    {% if c.developer_related %}<span class="flag">{% translate "涉及地产" %}</span>{% endif %}
    {% if c.compensation_claimed %}<span class="flag">{% translate "提出索赔" %}</span>{% endif %}
    {% if c.home_return_requested %}<span class="flag">{% translate "要求退换房" %}</span>{% endif %}
    {% if c.sensitive %}<span class="flag">{% translate "敏感投诉" %}</span>{% endif %}
    {% if c.unreasonable %}<span class="flag">{% translate "无理投诉（已解释）" %}</span>{% endif %}
  </p>{% endif %}"""  # noqa: E501
NEW_CARD = (
    "{% load complaint_tags %}  {% complaint_kind_fields c public_only person %}\n  PERSON\n"
    "  {% complaint_facts c public_only %}"
)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_record_card_is_the_old_template(lang):
    from docket.org.models import ExternalParty

    flags = [name for name, _text in complaint_tags._FLAGS]
    cases = []
    for n in range(6):
        c = Complaint(
            id=50 + n,
            kind=["complaint", "suggestion", "<odd>"][n % 3],
            channel="phone" if n % 2 else "<x>",
            method="visit",
            complainant_type=["", "owner", "<t>&"][n % 3],
            location=[HOSTILE, "", "B 栋 & 'x'"][n % 3],
            description='a < b && c\r\n"line"\rthree',
            demand=["", "<b>bold</b> & more\nx"][n % 2],
            state=["accepted", "closed", "withdrawn"][n % 3],
            received_at=NOW - timedelta(hours=n) if n != 5 else None,
            forwarder_ref=["", "<ref>&", None][n % 3],
            **{name: bool((n >> k) & 1) for k, name in enumerate(flags)},
        )
        if n % 2:
            c.received_by = User(id=1, username="r", display_name="<受理人>&")
            c.holder = User(id=2, username="h", display_name="'持有人'")
            c.responsible = User(id=3, username="s", display_name='"责任人"')
            c.holder_department = Department(id=9, name="<部门>")
        if n % 3 == 1:
            c.holder_department = Department(id=10, name="")
            c.forwarded_by = ExternalParty(id=4, name="<住建局> & 'x'")
        cases.append(c)
    with translation.override(lang):
        for c in cases:
            for public_only in (False, True, ""):
                for person in (None, SimpleNamespace(masked=True), SimpleNamespace(masked=False)):
                    ctx = {"c": c, "public_only": public_only, "person": person}
                    assert Template(NEW_CARD).render(Context(ctx)) == Template(OLD_CARD).render(Context(ctx))


def test_top_bar_follows_a_change_of_languages(monkeypatch):
    from django.test import override_settings

    monkeypatch.setattr("docket.notifications.templatetags.inbox.unread_count", lambda user: 0)
    request = RequestFactory().get("/complaints/")
    request.user = _user("x", ["dept_supervisor"])
    extra = {"csrf_token": "t"}
    with translation.override("zh-hans"):
        before = _render(NEW_TOP_BAR, request, extra)
        with override_settings(LANGUAGES=[("zh-hans", "简体中文")]):
            only = _render(NEW_TOP_BAR, request, extra)
            assert only == _render(OLD_TOP_BAR, request, extra) and only != before
        assert _render(NEW_TOP_BAR, request, extra) == before
