"""The complaint page's lower panels in Python (tpl2, issue 14, "Speed of the daily paths"): the replies with
their reviews (`reply_panel`), the follow-ups, the owner's ratings and the second-stage review
(`owner_answers`, was complaints/_owner_answers.html), the claims and the nonconformity reports
(`seed2_panels`, was complaints/_seed2_panels.html) and the attachments (`attachment_list`, was
complaints/_attachments.html).

As template nodes these were ~25 node renders per reply and ~10 per review, three includes and their `{% if %}`s
on every page. The same markup with f-strings, as complaint_tags' `issue_items` writes the issues:

- every value from the database is escaped as `{{ }}` escapes it (`conditional_escape` of the value as text:
  `None` shows as "None"; numbers through `localize`, as the template engine formats them);
- `{% translate "literal" %}` is not escaped by Django (a literal is safe): neither are those texts here; a
  `{% blocktranslate with n=… %}` is the translation with the escaped value put in;
- `|linebreaksbr`, `|date:"Y-m-d H:i"` (`minute`), `|date:"m-d H:i"`, `|due_class`, `|countdown`,
  `|filesizeformat` give what the filters give.

docket/complaints/tests/test_templates_tpl2.py renders the old template text beside each tag.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_noop

from docket.core.templatetags.nav_urls import id_url

from .complaint_tags import COLON, _countdown, _e, _gettext, _linebreaksbr, _tr, due_class, label, minute

register = template.Library()

# The panels' messages, marked for makemessages: the f-strings below pass them to `_gettext`, which xgettext
# does not read (docket/core/tests/test_messages.py).
_TEXT = (
    # replies
    gettext_noop("答复"),
    gettext_noop("第 %(n)s 次答复"),
    gettext_noop("打印答复函"),
    gettext_noop("已发送"),
    gettext_noop("审核意见"),
    gettext_noop("通过"),
    gettext_noop("退回"),
    gettext_noop("待审核"),
    gettext_noop("无需审核"),
    # owner answers
    gettext_noop("回访与业主评价"),
    gettext_noop("回访（员工记录）"),
    gettext_noop("第 %(n)s 轮"),
    gettext_noop("满意度"),
    gettext_noop("质检评分"),
    gettext_noop("业主自评"),
    gettext_noop("受理过程"),
    gettext_noop("处理措施"),
    gettext_noop("处理结果"),
    gettext_noop("二次复核"),
    gettext_noop("业主申请"),
    gettext_noop("待复核：须由品质管理部或原处理人以外的岗位书面决定。"),
    # claims and nonconformity reports
    gettext_noop("索赔"),
    gettext_noop("状态"),
    gettext_noop("审批/上报"),
    gettext_noop("结果"),
    gettext_noop("退房/换房要求"),
    gettext_noop("涉及工程或销售问题"),
    gettext_noop("上报至"),
    gettext_noop("批准"),
    gettext_noop("结果期限"),
    gettext_noop("不合格/纠正、预防措施报告"),
    gettext_noop("不合格事实"),
    gettext_noop("原因分析"),
    gettext_noop("纠正措施"),
    gettext_noop("预防措施"),
    gettext_noop("填写部门"),
    gettext_noop("签发"),
    gettext_noop("待管理者代表签发"),
    gettext_noop("关闭"),
    gettext_noop("纠正/预防措施"),
    gettext_noop("期限"),
    gettext_noop("落实"),
    gettext_noop("验证"),
    gettext_noop("尚未下达措施"),
    # attachments
    gettext_noop("附件"),
)


def _v(value) -> str:
    """`{{ value }}`: localized (numbers), as text, escaped."""
    return conditional_escape(str(localize(value)))


def _md(value) -> str:
    """`value|date:"m-d H:i"` in the current time zone (digits, a dash, a colon: nothing to escape)."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%m-%d %H:%M")


# --- replies -----------------------------------------------------------------------------------------------------


def _reviews(r, review_route, lang: str) -> str:
    out = []
    for v in r.reviews.all():
        verdict = (
            f'<span class="due-ok">{_gettext("通过", lang)}</span>'
            if v.approved
            else f'<span class="due-late">{_gettext("退回", lang)}</span>'
        )
        out.append(
            f'<p><b>{_tr(label(v, "stage"), lang)}</b> {verdict} <span class="muted">{_e(v.reviewer)} '
            f"{_md(v.reviewed_at)}</span><br>{_linebreaksbr(v.comment) if v.comment else ''}</p>\n      "
        )
    if out:
        return "".join(out)
    empty: str
    if r.state == "draft" or r.state == "returned":
        empty = conditional_escape(review_route)
    elif r.review_stages:
        empty = _gettext("待审核", lang)
    else:
        empty = _gettext("无需审核", lang)
    return f'<p class="muted">{empty}</p>'


def _reply(c, r, public_only, review_route, lang: str) -> str:
    number = _v(r.number)
    letter = ""
    if r.state == "sent" or r.state == "approved":
        url = _e(id_url("complaints:reply_letter", c.id, r.number))
        letter = f'<a class="no-print" href="{url}">{_gettext("打印答复函", lang)}</a>'
    who = "" if public_only else f"{_e(r.author)} · {minute(r.updated_at)}"
    sent = f" · {_gettext('已发送', lang)} {minute(r.sent_at)}" if r.sent_at else ""
    reviews = ""
    if not public_only:
        reviews = (
            f'<div class="reply-reviews">\n      <h3>{_gettext("审核意见", lang)}</h3>\n      '
            f"{_reviews(r, review_route, lang)}\n    </div>"
        )
    return (
        '\n  <div class="reply">\n    <div class="reply-body">\n'
        f"      <h3>{_gettext('第 %(n)s 次答复', lang) % {'n': number}} "
        f'<span class="state">{_tr(label(r, "state"), lang)}</span>\n'
        f"        {letter}</h3>\n"
        f'      <p class="prose">{_linebreaksbr(r.body)}</p>\n'
        f'      <p class="muted">{who}{sent}</p>\n'
        "    </div>\n"
        f"    {reviews}\n"
        "  </div>\n  "
    )


@register.simple_tag
def reply_panel(c, public_only=False, review_route=""):
    """The replies card, newest first (the public view: the sent ones), with each reply's reviews (staff)."""

    replies = c.replies.all()
    if not replies:
        return ""
    lang = get_language() or ""
    items = "".join(
        _reply(c, r, public_only, review_route, lang)
        for r in reversed(replies)
        if not public_only or r.state == "sent"
    )
    return mark_safe(  # noqa: S308 (every value escaped above)
        f'\n<section class="card replies">\n  <h2>{_gettext("答复", lang)}</h2>\n  {items}\n</section>\n'
    )


# --- follow-ups, the owner's ratings, the second-stage review ------------------------------------------------


def _round(n, lang: str) -> str:
    """`{% if x.round > 1 %}（{% blocktranslate with n=x.round %}第 {{ n }} 轮{% endblocktranslate %}）{% endif %}`"""
    return f"（{_gettext('第 %(n)s 轮', lang) % {'n': _v(n)}}）" if n > 1 else ""


def _follow_up(fu, public_only, lang: str) -> str:
    if fu.exemption:
        what = _tr(label(fu, "exemption"), lang)
    else:
        score = ""
        if not public_only:
            score = f" · {_gettext('质检评分', lang)} {_v(fu.quality_score) if fu.quality_score else '—'}"
        what = (
            f"{_tr(label(fu, 'method'), lang)} · {_gettext('满意度', lang)} "
            f"{_v(fu.satisfaction) if fu.satisfaction else '—'}{score}"
        )
    opinion = f'<br><span class="muted">{_e(fu.opinion)}</span>' if fu.opinion else ""
    return f"<p><b>{_gettext('回访（员工记录）', lang)}{_round(fu.round, lang)}</b>：{what}{opinion}</p>"


def _rating(r, lang: str) -> str:
    comment = f"<br>{_linebreaksbr(r.comment)}" if r.comment else ""
    return (
        f"\n  <p><b>{_gettext('业主自评', lang)}{_round(r.round, lang)}</b>：\n"
        f"    {_gettext('受理过程', lang)} {_v(r.process)} · {_gettext('处理措施', lang)} {_v(r.measures)} · "
        f"{_gettext('处理结果', lang)} {_v(r.result)}\n"
        f'    <span class="muted">{minute(r.rated_at)}</span>{comment}</p>\n  '
    )


def _second_review(review, public_only, lang: str) -> str:
    if review.decided_at:
        by = ""
        if not public_only:
            by = f' <span class="muted">{_e(review.decided_by)} {minute(review.decided_at)}</span>'
        decision = (
            f"<p><b>{_tr(label(review, 'outcome'), lang)}</b>{by}<br>{_linebreaksbr(review.decision)}</p>\n  "
        )
    else:
        decision = f'<p class="due-soon">{_gettext("待复核：须由品质管理部或原处理人以外的岗位书面决定。", lang)}</p>'
    return (
        f"\n  <h3>{_gettext('二次复核', lang)}</h3>\n"
        f"  <p>{_gettext('业主申请', lang)} {minute(review.requested_at)}：{_linebreaksbr(review.reason)}</p>\n"
        f"  {decision}\n  "
    )


@register.simple_tag
def owner_answers(c, public_only=False):
    """The follow-up visits (staff records), the owner's own ratings and the second-stage review, when any."""

    ratings = c.owner_ratings.all()
    review = c.second_review if hasattr(c, "second_review") else None
    fus = c.follow_ups.all()
    if not (ratings or review or fus):
        return mark_safe("\n\n\n\n")
    lang = get_language() or ""
    return mark_safe(  # noqa: S308 (every value escaped above)
        '\n\n\n<section class="card" id="owner-answers">\n'
        f"  <h2>{_gettext('回访与业主评价', lang)}</h2>\n"
        f"  {''.join(_follow_up(fu, public_only, lang) for fu in fus)}\n"
        f"  {''.join(_rating(r, lang) for r in ratings)}\n"
        f"  {_second_review(review, public_only, lang) if review else ''}\n"
        "</section>\n\n\n"
    )


# --- claims and nonconformity reports (seed part 2) ------------------------------------------------------------


def _due(at, lang: str) -> str:
    """`{{ at|minute }} <span class="{{ at|due_class }}">{{ at|countdown }}</span>`"""
    return f'{_e(minute(at))} <span class="{_e(due_class(at))}">{_e(_countdown(at, lang))}</span>'


def _claim(k, lang: str) -> str:
    if k.home_return:
        what = f'<span class="flag">{_gettext("退房/换房要求", lang)}</span>'
    else:
        what = f"¥{_v(k.amount)}"
    sales = (
        f'<span class="flag">{_gettext("涉及工程或销售问题", lang)}</span>'
        if k.involves_construction_or_sales
        else ""
    )
    if k.decided_by:
        if k.route:
            decided = f"{_gettext('上报至', lang)} {_tr(label(k, 'route'), lang)}"
        elif k.approved_amount:
            decided = f"{_gettext('批准', lang)} ¥{_v(k.approved_amount)}"
        else:
            decided = ""
        decided += (
            f"\n          <div>{_linebreaksbr(k.decision_note)}</div>"
            f'<div class="muted">{_e(k.decided_by)} {_md(k.decided_at)}</div>'
        )
    else:
        decided = "—"
    if k.outcome:
        amount = f" ¥{_v(k.outcome_amount)}" if k.outcome_amount else ""
        outcome = (
            f"<b>{_tr(label(k, 'outcome'), lang)}</b>{amount}<div>{_linebreaksbr(k.outcome_reasons)}</div>"
            f'<div class="muted">{_e(k.outcome_by)} {_md(k.outcome_at)}</div>\n            '
        )
    elif k.outcome_due_at:
        outcome = f"{_gettext('结果期限', lang)} {_due(k.outcome_due_at, lang)}"
    else:
        outcome = "—"
    return (
        "\n      <tr>\n"
        f"        <td>{what}\n"
        f"          {sales}\n"
        f"          <div>{_linebreaksbr(k.description)}</div>"
        f'<div class="muted">{_e(k.recorded_by)} {_md(k.recorded_at)}</div></td>\n'
        f'        <td class="nowrap" data-label="{_gettext("状态", lang)}">{_tr(label(k, "state"), lang)}</td>\n'
        f'        <td data-label="{_gettext("审批/上报", lang)}">{decided}</td>\n'
        f'        <td data-label="{_gettext("结果", lang)}">{outcome}</td>\n'
        "      </tr>\n    "
    )


def _capa(a, lang: str) -> str:
    responsible = f" · {_e(a.responsible)}" if a.responsible else ""
    if a.state == "open":
        progress = f"{_gettext('期限', lang)} {_due(a.due_at, lang)}\n        "
    else:
        done = f"{_gettext('落实', lang)}{_gettext(COLON, lang)}{_e(a.done_note)}" if a.done_note else ""
        verified = (
            f"<br>{_gettext('验证', lang)}{_gettext(COLON, lang)}{_e(a.verify_note)}（{_e(a.verified_by)}）"
            if a.verify_note
            else ""
        )
        progress = done + verified
    return (
        f"<p><b>{_tr(label(a, 'kind'), lang)}</b> {_e(a.description)}<br>\n"
        f'        <span class="muted">{_e(a.department.name)}{responsible}</span> · '
        f"{_tr(label(a, 'state'), lang)}<br>\n"
        f"        {progress}</p>\n      "
    )


def _ncr(n, lang: str) -> str:
    t = {m: _gettext(m, lang) for m in ("预防措施", "填写部门", "签发", "关闭")}
    preventive = (
        f"<dt>{t['预防措施']}</dt><dd>{_linebreaksbr(n.preventive_action)}</dd>"
        if n.preventive_action
        else ""
    )
    department = n.department
    drafted = (
        f"<dt>{t['填写部门']}</dt><dd>{_e(department.name)} · {_e(n.drafted_by)} {_md(n.drafted_at)}</dd>"
        if department
        else ""
    )
    if n.issued_by:
        issued = f"{_e(n.issued_by)} {_md(n.issued_at)}"
    else:
        issued = f'<span class="due-late">{_gettext("待管理者代表签发", lang)}</span>'
    closed = f"<dt>{t['关闭']}</dt><dd>{_e(n.closed_by)} {_md(n.closed_at)}</dd>" if n.closed_by else ""
    actions = "".join(_capa(a, lang) for a in n.actions.all()) or (
        f'<p class="muted">{_gettext("尚未下达措施", lang)}</p>'
    )
    return (
        '\n  <div class="reply">\n    <div class="reply-body">\n'
        f'      <h3>#{_v(n.id)} <span class="state">{_tr(label(n, "state"), lang)}</span></h3>\n'
        '      <dl class="fields">\n'
        f"        <dt>{_gettext('不合格事实', lang)}</dt><dd>{_linebreaksbr(n.nonconformity)}</dd>\n"
        f"        <dt>{_gettext('原因分析', lang)}</dt><dd>{_linebreaksbr(n.cause)}</dd>\n"
        f"        <dt>{_gettext('纠正措施', lang)}</dt><dd>{_linebreaksbr(n.corrective_action)}</dd>\n"
        f"        {preventive}\n"
        f"        {drafted}\n"
        f"        <dt>{t['签发']}</dt><dd>{issued}</dd>\n"
        f"        {closed}\n"
        "      </dl>\n    </div>\n"
        '    <div class="reply-reviews">\n'
        f"      <h3>{_gettext('纠正/预防措施', lang)}</h3>\n"
        f"      {actions}\n"
        "    </div>\n  </div>\n  "
    )


@register.simple_tag
def seed2_panels(c):
    """The claims table and the nonconformity reports with their actions (staff), when the complaint has any."""

    claims = c.claims.all()
    ncrs = c.ncrs.all()
    if not claims and not ncrs:
        return mark_safe("\n\n\n")
    lang = get_language() or ""
    out = ["\n"]
    if claims:
        out.append(
            '\n<section class="card" id="claims">\n'
            f"  <h2>{_gettext('索赔', lang)}</h2>\n"
            '  <div class="table-scroll"><table class="obligations claims">\n'
            f"    <thead><tr><th>{_gettext('索赔', lang)}</th><th>{_gettext('状态', lang)}</th>"
            f"<th>{_gettext('审批/上报', lang)}</th><th>{_gettext('结果', lang)}</th></tr></thead>\n"
            "    <tbody>\n    "
            f"{''.join(_claim(k, lang) for k in claims)}\n"
            "    </tbody>\n  </table></div>\n</section>\n"
        )
    out.append("\n")
    if ncrs:
        out.append(
            '\n<section class="card" id="ncrs">\n'
            f"  <h2>{_gettext('不合格/纠正、预防措施报告', lang)}</h2>\n  "
            f"{''.join(_ncr(n, lang) for n in ncrs)}\n"
            "</section>\n"
        )
    out.append("\n")
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


# --- attachments ---------------------------------------------------------------------------------------------


@register.simple_tag
def attachment_list(c):
    """The attachments: a photo's thumbnail, a video's player, each file's link, name and size."""
    from docket.complaints.thumbs import is_image

    attachments = c.attachments.all()
    if not attachments:
        return mark_safe("\n")
    out = [f'<h2>{gettext("附件")}</h2><ul class="attachments">']
    for a in attachments:
        url = _e(reverse("complaints:attachment", args=[c.id, a.id]))
        name = _e(a.original_name)
        if is_image(a):
            thumb = _e(reverse("complaints:attachment_thumb", args=[c.id, a.id]))
            shown = f'<a class="thumb" href="{url}"><img src="{thumb}" alt="{name}" loading="lazy"></a>'
        elif str(a.content_type)[:6] == "video/":
            shown = f'<video class="clip" controls preload="metadata" playsinline src="{url}"></video>'
        else:
            shown = ""
        out.append(
            f'<li>{shown}<a href="{url}">{name}</a> '
            f'<span class="muted">{conditional_escape(filesizeformat(a.size))}</span></li>'
        )
    out.append("</ul>\n")
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


# --- the complainant (complaints/_person.html) -------------------------------------------------------------------

_PERSON_TEXT = (
    gettext_noop("投诉人"),
    gettext_noop("匿名"),
    gettext_noop("已脱敏"),
    gettext_noop("地址/房号"),
    gettext_noop("电子邮箱"),
    gettext_noop("投诉人数"),
    gettext_noop("查看完整个人信息"),
    gettext_noop("查看原因（将被记录，品质管理部可查）"),
    gettext_noop("查看"),
    gettext_noop("已记录本次查看。"),
)


@register.simple_tag(takes_context=True)
def person_panel(context):
    """`<div id="person">`: the complainant as this viewer may see them (`person`, privacy.person_for), the
    cosigners, and the form to reveal masked data with a reason (`reveal_error`, `revealed`: the reveal view's
    answer, which renders complaints/_person.html, this tag)."""
    from docket.core.templatetags.top_bar import _csrf_input

    lang = get_language() or ""
    t = {m: _gettext(m, lang) for m in _PERSON_TEXT}
    c = context.get("c")
    p = context.get("person")
    if p.anonymous:
        who = t["匿名"]
    else:
        masked = f' <span class="tag">{t["已脱敏"]}</span>' if p.masked else ""
        name = conditional_escape(p.name) if p.name else "—"
        who = f'{name} <span class="nowrap">{conditional_escape(p.phone)}</span>{masked}'
    place = p.address or p.room
    email = f"<dt>{t['电子邮箱']}</dt><dd>{conditional_escape(p.email)}</dd>" if p.email else ""
    cosigners = ""
    if p.cosigners:
        names = "、".join(
            conditional_escape(s.name)
            + (f' <span class="nowrap">{conditional_escape(s.phone)}</span>' if s.phone else "")
            for s in p.cosigners
        )
        cosigners = f"（{names}）"
    reveal = ""
    if p.can_reveal:
        url = _e(id_url("complaints:reveal", c.id))
        error = context.get("reveal_error")
        reveal = (
            '\n  <details class="no-print reveal">\n'
            f"    <summary>{t['查看完整个人信息']}</summary>\n"
            f'    <form method="post" action="{url}" hx-post="{url}" hx-target="#person" hx-swap="outerHTML">\n'
            f"      {_csrf_input(context)}\n"
            f'      <label for="reveal-reason">{t["查看原因（将被记录，品质管理部可查）"]}</label>\n'
            f'      <input id="reveal-reason" name="reason" required maxlength="200"{_INVALID if error else ""}>\n'
            f"      {_error(error)}\n"
            f'      <button type="submit" class="btn">{t["查看"]}</button>\n'
            "    </form>\n  </details>\n  "
        )
    elif context.get("revealed"):
        reveal = f'<p class="muted">{t["已记录本次查看。"]}</p>'
    return mark_safe(  # noqa: S308 (every value escaped above)
        '<div id="person">\n  <dl class="fields">\n'
        f"    <dt>{t['投诉人']}</dt><dd>{who}</dd>\n"
        f"    <dt>{t['地址/房号']}</dt><dd>{conditional_escape(place) if place else '—'}</dd>\n"
        f"    {email}\n"
        f"    <dt>{t['投诉人数']}</dt><dd>{_v(c.people_count)}{cosigners}</dd>\n"
        "  </dl>\n"
        f"  {reveal}\n"
        "</div>\n"
    )


_INVALID = ' aria-invalid="true" aria-describedby="reveal-error"'


def _error(error) -> str:
    if not error:
        return ""
    return f'<p class="error" id="reveal-error" role="alert">{conditional_escape(error)}</p>'


# --- the complainant's other complaints (was complaints/_history.html) ---------------------------------------

_HISTORY_TEXT = (
    gettext_noop("该投诉人的其他投诉"),
    gettext_noop("同一联系电话或同一房号，仅列出您有权查看的投诉。"),
    gettext_noop("查看全部"),
    gettext_noop("没有其他投诉。"),
)


@register.simple_tag(takes_context=True)
def history_panel(context, c):
    """The complainant's other complaints the viewer may see (complaints.history.history_for, at most LIMIT
    rows) with a link to all of them when there are more; nothing when the complaint names no one to match."""
    from docket.complaints.history import history_for
    from docket.core.templatetags.nav_urls import fixed_url

    from .complaint_tags import history_items

    request = context.get("request")
    hist = history_for(getattr(request, "user", None), c)
    if not hist:
        return mark_safe("\n")
    lang = get_language() or ""
    t = {m: _gettext(m, lang) for m in _HISTORY_TEXT}
    if hist.rows:
        more = ""
        if hist.more:
            more = f'<p><a href="{_e(id_url("complaints:history", c.id))}">{t["查看全部"]}</a></p>'
        rows = (
            '<ul class="history-list">\n'
            f"    {history_items(hist.rows, fixed_url('complaints:list'))}\n"
            "  </ul>\n"
            f"  {more}\n  "
        )
    else:
        rows = f'<p class="muted">{t["没有其他投诉。"]}</p>'
    return mark_safe(  # noqa: S308 (every value escaped above; history_items escapes its own)
        '\n<section class="card history" aria-labelledby="history-h">\n'
        f'  <h2 id="history-h">{t["该投诉人的其他投诉"]}</h2>\n'
        f'  <p class="muted">{t["同一联系电话或同一房号，仅列出您有权查看的投诉。"]}</p>\n'
        f"  {rows}\n"
        "</section>\n"
    )


# --- the page's head: the links above the title, the title and its line of state -------------------------------

_HEAD_TEXT = (
    gettext_noop("返回列表"),
    gettext_noop("打印回执"),
    gettext_noop("打印处理表"),
    gettext_noop("已上报公司"),
    gettext_noop("回执编号"),
)


@register.simple_tag
def complaint_links(c, public_only=False):
    """The links above the title: back to the list, the receipt, the record form (staff)."""
    from docket.core.templatetags.nav_urls import fixed_url

    lang = get_language() or ""
    record = ""
    if not public_only:
        record = (
            f' · <a href="{_e(id_url("complaints:record_form", c.id))}">{_gettext("打印处理表", lang)}</a>'
        )
    return mark_safe(  # noqa: S308 (URLs escaped, literal translations)
        f'<a href="{_e(fixed_url("complaints:list"))}">← {_gettext("返回列表", lang)}</a> · '
        f'<a href="{_e(id_url("complaints:receipt", c.id))}">{_gettext("打印回执", lang)}</a>{record}'
    )


@register.simple_tag
def complaint_title(c):
    """The title and the line under it: state, severity (when not normal), reported to the company, the
    receipt number, the office."""

    lang = get_language() or ""
    severity = ""
    if c.severity != "normal":
        severity = f'<span class="badge {_e(c.severity)}">{_tr(label(c, "severity"), lang)}</span>'
    company = f'<span class="badge">{_gettext("已上报公司", lang)}</span>' if c.level == "company" else ""
    return mark_safe(  # noqa: S308 (every value escaped)
        f"<h1>{conditional_escape(c.subject)}</h1>\n"
        '<p class="meta">\n'
        f'  <span class="state s-{conditional_escape(c.state)}">{_tr(label(c, "state"), lang)}</span>\n'
        f"  {severity}\n"
        f"  {company}\n"
        f"  <span>{_gettext('回执编号', lang)} <b>{conditional_escape(c.receipt_no)}</b></span>\n"
        f"  <span>{conditional_escape(c.office.name)}</span>\n"
        "</p>"
    )


# --- the deadlines: the paused clock, the obligations' table ------------------------------------------------------

_DEADLINE_TEXT = (
    gettext_noop("处理时限"),
    gettext_noop("已暂停计时：%(r)s（预计 %(t)s 恢复）"),
    gettext_noop("事项"),
    gettext_noop("到期时间"),
    gettext_noop("状态"),
    gettext_noop("无"),
)


@register.simple_tag
def deadlines(c):
    """The deadlines' heading, the paused clock with its reason and expected resumption, and the obligations'
    table (complaint_tags.obligation_rows) or "none"."""
    from .complaint_tags import obligation_rows

    lang = get_language() or ""
    t = {m: _gettext(m, lang) for m in _DEADLINE_TEXT}
    paused = ""
    if c.paused_at:
        text = t["已暂停计时：%(r)s（预计 %(t)s 恢复）"] % {
            "r": conditional_escape(c.pause_reason),
            "t": conditional_escape(minute(c.resume_on)),
        }
        paused = f'<p class="badge">{text}</p>'
    obligations = c.obligations.all()
    if obligations:
        table = (
            '\n  <table class="obligations deadlines">\n'
            f"    <thead><tr><th>{t['事项']}</th><th>{t['到期时间']}</th><th>{t['状态']}</th></tr></thead>\n"
            "    <tbody>\n"
            f"    {obligation_rows(obligations)}\n"
            "    </tbody>\n  </table>\n  "
        )
    else:
        table = f'<p class="muted">{t["无"]}</p>'
    return mark_safe(f"<h2>{t['处理时限']}</h2>\n  {paused}\n  {table}")  # noqa: S308 (escaped above)
