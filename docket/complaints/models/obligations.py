"""Obligations: each thing a complaint's handlers owe, with its stored due time (R-SLA-3, R-EXP-5,
R-EXP-8). The model lives with complaints because obligations are part of the complaint's file; the
calendar, policies and due-time maths live in `docket.sla`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.org.models import Company, Department, Office

from .complaint import Complaint


class Obligation(models.Model):
    """One deadline. Started and ended only by `complaints.services.obligations`.

    Kinds, and what starts / meets them: acknowledge (online courtesy reply: registration / first
    courtesy or real reply), reply (registration / first reply sent), forwarder_reply (a forwarded
    complaint's own deadline given by the forwarder / the answer back recorded), review (draft submitted /
    approved or returned at the last stage), verify (measures done / all issues verified or rework),
    follow_up (verification passed / visit or exemption), report_group (raised hot or major / report
    recorded), first_contact (handed to a department / first contact recorded or a reply sent), qm_verify
    (the office verified a company-level or online complaint / QM's decision), progress_update (an
    'unclosed' ending, then each update / the next update or the final ending), leadership_opinion
    (escalation or a request / leadership's opinion), developer_answer (forwarded to the developer / its
    answer recorded).

    `due_at` is computed once when the obligation starts and changes only by an explicit, recorded act:
    resuming from a pause, or recomputation after the year's holiday data is loaded (`provisional`).
    State: open → met, or open → missed (the sweep marks the breach; a late fulfilment keeps `missed` and
    sets `met_at`); paused while the clock stops; cancelled when the complaint ends another way.
    `next_check_at` is when the overdue sweep must look at it next (warning, breach, superior, QM);
    null when there is nothing more to do — the sweep reads only rows with a due check.
    """

    class Kind(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", _("礼节性回复")
        REPLY = "reply", _("答复")
        FORWARDER_REPLY = "forwarder_reply", _("答复转交单位")
        REVIEW = "review", _("答复审核")
        VERIFY = "verify", _("验证")
        FOLLOW_UP = "follow_up", _("回访")
        REPORT_GROUP = "report_group", _("报告集团")
        # escalation (issue 12)
        GROUP_PROGRESS = "group_progress", _("向集团报告进展")
        CASE_REPORT = "case_report", _("热点投诉案例报告")
        SPECIAL_REPORT = "special_report", _("重大投诉专题报告")
        AUTHORITY_REPORT = "authority_report", _("报告区物业主管部门")
        # The seed's procedure (issue 15).
        FIRST_CONTACT = "first_contact", _("首次联系顾客")
        QM_VERIFY = "qm_verify", _("品质部验证")
        PROGRESS_UPDATE = "progress_update", _("向顾客通报进展")
        LEADERSHIP_OPINION = "leadership_opinion", _("领导处理意见")
        DEVELOPER_ANSWER = "developer_answer", _("地产答复")
        # portal answers (issue 11): the written decision on a second-stage review (R-EXP-10)
        SECOND_REVIEW = "second_review", _("二次复核")
        # seed part 2 (issue 15): one obligation per record (the claim / report / action keeps its id).
        CLAIM_OUTCOME = "claim_outcome", _("索赔审批结果")
        NCR_SIGN = "ncr_sign", _("管理者代表签发报告")
        CAPA = "capa", _("纠正/预防措施")

    class State(models.TextChoices):
        OPEN = "open", _("进行中")
        MET = "met", _("按时完成")
        MISSED = "missed", _("已逾期")
        PAUSED = "paused", _("已暂停")
        CANCELLED = "cancelled", _("已取消")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="obligations", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("事项"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    started_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("到期时间"))
    provisional = models.BooleanField(_("暂定（缺节假日数据）"), default=False)
    holder_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    breached_at = models.DateTimeField(_("逾期时间"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    paused_working_minutes = models.FloatField(_("暂停时剩余工作分钟"), null=True, blank=True)
    resumed_at = models.DateTimeField(_("恢复计时时间"), null=True, blank=True)
    rule = models.JSONField(_("规则"), default=dict)
    policy_version = models.CharField(_("规则版本"), max_length=40, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    step = models.PositiveSmallIntegerField(
        _("催办级别"), default=0
    )  # 0 none, 1 warned, 2 breached, 3 superior, 4 QM
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("处理时限")
        verbose_name_plural = _("处理时限")
        ordering = ["due_at"]
        indexes = [
            # The sweep's only query: due checks. Closed obligations have next_check_at NULL and are not
            # in the partial index at all, so its cost does not grow with history.
            models.Index(
                fields=["next_check_at"],
                name="obligation_next_check",
                condition=models.Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["company", "state", "due_at"], name="obligation_company_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.OPEN, self.State.MISSED) and self.met_at is None

    @property
    def on_time(self) -> bool | None:
        if self.met_at is None:
            return None
        return self.met_at <= self.due_at
