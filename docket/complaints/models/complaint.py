"""The complaint record: 顾客意见(投诉/建议)处理表 (R-INT-4), its issues (R-INT-5), co-signers (R-EXP-9)
and attachments."""

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.core import lookups  # noqa: F401  (row_contains, for selectors._row_q)
from docket.core.choices import ChoicesDisplay
from docket.org.models import Building, Community, Company, Department, ExternalParty, Office, Room, Unit

from .category import Category
from .choices import Channel, ClosureKind, ComplainantType, IssueState, Kind, Level, Method, Severity, State


class Complaint(ChoicesDisplay):
    """One complaint (or suggestion / inquiry) as the complainant sees it: one receipt, one reply.

    Invariants: state changes only through services (`complaints.services`), each appending a
    ComplaintEvent; `version` grows by one with every change (optimistic concurrency for pages and the
    API); `level` moves office → company and never back (R-HDL-5). `company`/`office` are the scope
    columns every query filters on.
    """

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("公司"))
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("管理处")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("楼栋")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单元")
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("房屋")
    )
    location = models.CharField(_("发生地点"), max_length=200, blank=True)
    # seed part 2 (issue 15, R-ORG-2): a public area (gate, car park, garden …) instead of / beside a room.
    public_area = models.ForeignKey(
        "org.PublicArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("公共区域"),
    )

    box_opening = models.ForeignKey(
        "complaints.SuggestionBoxOpening",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("意见箱开箱记录"),
    )
    receipt_no = models.CharField(_("回执编号"), max_length=32, unique=True)
    check_code = models.CharField(_("查询码"), max_length=16)

    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, default=Kind.COMPLAINT)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    method = models.CharField(_("方式"), max_length=20, choices=Method.choices)

    anonymous = models.BooleanField(_("匿名"), default=False)
    complainant_name = models.CharField(_("投诉人姓氏"), max_length=50, blank=True)
    complainant_phone = models.CharField(_("联系电话"), max_length=20, blank=True, db_index=True)
    complainant_address = models.CharField(_("地址/房号"), max_length=200, blank=True)
    complainant_email = models.EmailField(_("电子邮箱"), max_length=200, blank=True)
    people_count = models.PositiveIntegerField(_("投诉人数"), default=1)
    # seed3 (issue 15): owner, tenant, visitor, staff or other; empty on records made before it was asked.
    complainant_type = models.CharField(
        _("投诉人类型"), max_length=10, choices=ComplainantType.choices, blank=True, db_index=False
    )

    subject = models.CharField(_("主题"), max_length=200)
    # search6 (issue 14): the subject and every issue's summary in one column (`search_text_of`), so that the
    # top bar's search tests the complaint's own row — one LIKE, trigram-indexed on PostgreSQL — instead of
    # probing its issues row by row (selectors.search_for; docs/decisions.md, "search6"). Written at intake:
    # neither the subject nor an issue's summary changes afterwards (the record is sealed into the chain).
    search_text = models.TextField(_("检索文本"), blank=True, default="", editable=False)
    description = models.TextField(_("投诉内容"))
    demand = models.TextField(_("顾客诉求"), blank=True)

    lawsuit_filed = models.BooleanField(_("已提起诉讼"), default=False)
    media_exposed = models.BooleanField(_("已被媒体曝光"), default=False)
    legal_or_media_risk = models.BooleanField(_("可能引发诉讼或媒体曝光"), default=False)
    developer_related = models.BooleanField(_("涉及地产"), default=False)
    compensation_claimed = models.BooleanField(_("提出索赔"), default=False)
    home_return_requested = models.BooleanField(_("要求退换房"), default=False)
    sensitive = models.BooleanField(_("敏感投诉"), default=False)
    unreasonable = models.BooleanField(_("无理投诉"), default=False)

    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.REGISTERED)
    level = models.CharField(_("处理层级"), max_length=10, choices=Level.choices, default=Level.OFFICE)
    severity = models.CharField(_("级别"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    version = models.PositiveIntegerField(_("版本"), default=1)

    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("受理人"),
    )
    received_at = models.DateTimeField(_("受理时间"))
    # Who holds it now (R-HDL-1): a department and, once accepted, a person; the responsible person (责任人).
    holder_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("当前处理部门"),
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("当前处理人"),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("责任人"),
    )
    # Forwarded by government or the developer (R-EXP-8): the forwarder's reference and its own deadline.
    forwarded_by = models.ForeignKey(
        ExternalParty,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("转交单位"),
    )
    forwarder_ref = models.CharField(_("转交单位编号"), max_length=64, blank=True)
    forwarder_due_at = models.DateTimeField(_("转交单位要求答复时间"), null=True, blank=True)

    # The earliest due time among active obligations, kept by complaints.services.obligations for sorting
    # work queues by due time (R-SLA-3); null when nothing is due.
    next_due_at = models.DateTimeField(_("最近到期"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停计时时间"), null=True, blank=True)
    pause_reason = models.CharField(_("暂停原因"), max_length=200, blank=True)
    resume_on = models.DateTimeField(_("预计恢复时间"), null=True, blank=True)
    # The review stage the current reply draft waits for ("qm", "general_office"), empty otherwise; kept by
    # the review services so each reviewer's queue is one indexed filter.
    review_stage = models.CharField(_("待审核环节"), max_length=20, blank=True)
    # When the complainant last chased (催办, a `complainant_chased` event), kept by services.records._chase
    # so the queue's 被催办 tab and its count read the covering index instead of probing the events of
    # every queue row (a third of the queue's PostgreSQL time; docs/decisions.md, "queuecpu").
    chased_at = models.DateTimeField(_("最近催办时间"), null=True, blank=True)
    # When the QM information officer phoned the office about this online complaint (seed 5.2.3.3.1; an
    # `office_called` event, services.procedure.office_call_record): the officer's queue row reads it to
    # stop asking for the call, without a join (docs/decisions.md, "officer8").
    office_called_at = models.DateTimeField(_("电话通知管理处时间"), null=True, blank=True)
    negotiation_rounds = models.PositiveIntegerField(_("协商轮次"), default=0)
    closure_kind = models.CharField(_("结案方式"), max_length=12, choices=ClosureKind.choices, blank=True)
    closure_note = models.TextField(_("结案说明"), blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    # Set when the retention period ended and the personal data was erased (R-EXP-12; services/privacy.py).
    anonymised_at = models.DateTimeField(_("个人信息匿名化时间"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("顾客意见处理表")
        verbose_name_plural = _("顾客意见处理表")
        indexes = [
            models.Index(fields=["office", "state", "received_at"], name="complaint_office_state"),
            models.Index(fields=["company", "state", "received_at"], name="complaint_company_state"),
            models.Index(fields=["holder_department", "state"], name="complaint_holder_dept"),
            # The list's order, and (pagecpu) its capped count read from the index alone: the columns the
            # department and office scopes test are included, so counting the first 1 001 visible rows is
            # an index-only scan, not a walk of the table (bench/README.md, "The staff pages, second pass").
            models.Index(
                fields=["company", "received_at"],
                name="complaint_company_received",
                include=["id", "holder_department", "received_by", "office"],
            ),
            models.Index(fields=["holder_department", "next_due_at"], name="complaint_dept_due"),
            # The list's landing for a department (selectors.list_first_ids): what it holds, in the list's
            # order, index only, stopping at the cap.
            models.Index(
                fields=["company", "holder_department", "received_at", "id"], name="complaint_holder_received"
            ),
            # The search's newest window for a department (selectors._department_window): what it holds
            # with an id above the window's start, a range of this index (at 1 M complaints the planner
            # otherwise walked the primary key over the whole window: 143 of the search's 310 ms).
            models.Index(fields=["holder_department", "id"], name="complaint_dept_id"),
            models.Index(fields=["office", "next_due_at"], name="complaint_office_due"),
            models.Index(
                fields=["company", "review_stage"],
                name="complaint_review_stage",
                condition=~models.Q(review_stage=""),
            ),
            models.Index(
                fields=["resume_on"],
                name="complaint_paused_resume",
                condition=models.Q(paused_at__isnull=False),
            ),
            # The work queues (selectors.work_queue_for): a company's open complaints in due order (the
            # queue's sort; PostgreSQL's ASC puts NULLs last as the queue does), carrying the holder and the
            # state so that the queue's conditions and its count are read from the index alone. Only open
            # complaints: 5 % of the table, whatever the history.
            models.Index(
                fields=["company", "next_due_at", "received_at", "id"],
                name="complaint_open_due",
                include=["holder_department", "state", "chased_at"],
                condition=~models.Q(state__in=["closed", "unclosed", "withdrawn"]),
            ),
            # QM's and the management representative's escalated complaints (selectors._work_q: level company,
            # open): ~2 % of the open ones. Without it QM's queue read every open complaint of the company from
            # the table to test `level` (~44 ms of PostgreSQL at a million complaints). The condition must stay
            # the queue's arm (`active`: not closed, unclosed or withdrawn; a test checks it).
            models.Index(
                fields=["company", "next_due_at"],
                name="complaint_escalated_open",
                condition=models.Q(level="company")
                & ~models.Q(state__in=["closed", "unclosed", "withdrawn"]),
            ),
            # The queue's 待派人 tab for a department (selectors.unassigned_for): what it holds in a state where
            # a supervisor acts and nobody holds. A hundred rows at a million complaints; without it the tab's
            # count read the department's ~2 600 held rows from the table (pagecpu2, bench/README.md). The
            # states are selectors.DEPT_ACTION_STATES (the condition must match the query's for PostgreSQL to
            # use the index; a test checks they agree).
            models.Index(
                fields=["company", "holder_department"],
                name="complaint_unassigned",
                condition=models.Q(
                    holder__isnull=True,
                    state__in=[
                        "assigned",
                        "investigating",
                        "with_developer",
                        "negotiating",
                        "implementing",
                        "verifying",
                    ],
                ),
            ),
            # The group property department's list (scopes.complaint_q: the hot and major complaints of the
            # group's companies), newest first: ~0.5 % of the complaints. Without it the list's landing read
            # the whole table (a parallel scan, ~60 ms of PostgreSQL at a million complaints). The condition
            # must stay the scope's (a test checks it).
            models.Index(
                fields=["received_at", "id"],
                name="complaint_hot_major_received",
                include=["company"],
                condition=models.Q(severity__in=["hot", "major"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(people_count__gte=1), name="complaint_people_count_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="complaint_satisfaction_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.subject}"

    @property
    def place(self) -> str:
        """Where it happened, the most precise of room, unit, building and public area (R-ORG-2)."""
        parts = []
        if self.room is not None:
            parts.append(str(self.room))
        elif self.unit is not None:
            parts.append(str(self.unit))
        elif self.building is not None:
            parts.append(self.building.name)
        if self.public_area is not None:
            parts.append(self.public_area.name)
        return "，".join(parts)

    @property
    def public_place(self) -> str:
        """The place without a room or unit (the committee's public view must not name a home)."""
        parts = [self.building.name] if self.building is not None else []
        if self.public_area is not None:
            parts.append(self.public_area.name)
        return "，".join(parts)

    @property
    def location_beyond_place(self) -> str:
        """The typed location, or "" when it only repeats the room or the place (the room typed again
        would name the home in a masked view, and says nothing new in a full one)."""
        location = (self.location or "").strip()
        if location and (location == self.place or (self.room is not None and location == str(self.room))):
            return ""
        return location

    @property
    def location_masked(self) -> str:
        """`location_beyond_place` for a masked viewer and the owners' committee: numbers kept only where
        they name a building (`privacy.mask_location`)."""
        from ..privacy import mask_location

        return mask_location(self.location_beyond_place)

    @property
    def where(self) -> str:
        """发生地点 as the pages show it: the place and the typed location beyond it."""
        return "；".join(part for part in (self.place, self.location_beyond_place) if part)

    @property
    def where_masked(self) -> str:
        """`where` for a masked viewer and the owners' committee: the building, not the room or unit, and
        the typed location without the numbers of a unit, floor or room."""
        return "；".join(part for part in (self.public_place, self.location_masked) if part)

    @property
    def is_open(self) -> bool:
        from .choices import TERMINAL_STATES

        return self.state not in TERMINAL_STATES

    def handling_round(self) -> int:
        """1, plus one for each time a second-stage review reopened the complaint (it is then handled,
        followed up and rated again). Follow-ups and the owner's ratings are kept per round."""
        from .answers import SecondReview

        return 1 + SecondReview.objects.filter(complaint=self, outcome=SecondReview.Outcome.REOPENED).count()

    @property
    def follow_up_or_none(self):
        """The follow-up of the latest round that has one (the current result), or None."""
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("follow_ups")
        if prefetched is not None:  # the complaint page's prefetch (selectors.complaint_detail_for)
            return next((f for f in prefetched if f.latest), None)
        return self.follow_ups.filter(latest=True).first()

    @property
    def follow_up(self):
        """The current (latest round's) follow-up, or None; `follow_ups` holds every round."""
        return self.follow_up_or_none

    @property
    def contactable(self) -> bool:
        """Whether anyone can reach the complainant: not anonymous and a phone or email on record (the
        seed's "匿名投诉、无法确定联络方式的投诉", 5.2.5.1 B)."""
        return not self.anonymous and bool(self.complainant_phone or self.complainant_email)

    @property
    def is_collective(self) -> bool:
        return self.people_count > 1


# What joins the parts of `Complaint.search_text`: a control character no search term holds
# (selectors.search_term removes it), so a term never matches across the end of one part and the start of
# the next.
SEARCH_SEP = "\x1f"


def search_text_of(subject: str, summaries: Iterable[str]) -> str:
    """`Complaint.search_text` of a complaint with this subject and these issue summaries (in order)."""
    return SEARCH_SEP.join([subject, *summaries])


class ComplaintReceivedAt(models.DateTimeField):
    """The complaint's received time kept on a row of its own (list, issue 14): filled from the complaint when
    the row is written without it — `save()`, `bulk_create` and `core.compiled.insert` all ask `pre_save` — so
    no writer has to remember it. A complaint's received time is set at intake and never changed."""

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is None and model_instance.complaint_id is not None:
            value = model_instance.complaint.received_at
            setattr(model_instance, self.attname, value)
        return value


class ComplaintIssue(models.Model):
    """One issue raised in a complaint (R-INT-5): its own category, department and responsible person,
    investigated, carried out and verified on its own. The complainant still gets one reply."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="issues", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("公司"))
    seq = models.PositiveSmallIntegerField(_("序号"))
    summary = models.CharField(_("问题"), max_length=500)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("分类")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name=_("责任部门"),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    state = models.CharField(_("状态"), max_length=16, choices=IssueState.choices, default=IssueState.OPEN)
    findings = models.TextField(_("调查情况"), blank=True)
    measures = models.TextField(_("处理措施"), blank=True)
    verification_note = models.TextField(_("验证记录"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("验证人"),
    )
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    # seed3 (issue 15, R-INT-5): when an answer naming this issue was sent to the complainant, and when the
    # issue was closed (IssueState.CLOSED): on its own, or with its complaint closed on the spot.
    answered_at = models.DateTimeField(_("单独答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # list (issue 14): the complaint's received time, so that the list's landing reads a department's issues
    # newest first from one index (issue_department_received) instead of hashing all of them
    # (selectors.list_first_ids). Filled from the complaint (ComplaintReceivedAt).
    received_at = ComplaintReceivedAt(_("受理时间"), editable=False)

    class Meta:
        verbose_name = _("投诉问题")
        verbose_name_plural = _("投诉问题")
        ordering = ["complaint_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["complaint", "seq"], name="issue_unique_seq")]
        indexes = [
            models.Index(fields=["department", "state"], name="issue_department_state"),
            # Department visibility (scopes.py): the complaints a department owns an issue of, index-only.
            models.Index(fields=["department", "complaint"], name="issue_department_complaint"),
            # The list's landing (selectors.list_first_ids): a department's complaints through its issues, in
            # the list's order, index only, stopping at the cap.
            models.Index(
                fields=["department", "company", "received_at", "complaint"], name="issue_department_received"
            ),
            # What a department owes open issues of (selectors.work_queue_for), by company as every hot index.
            models.Index(
                fields=["company", "department", "complaint"],
                name="issue_open_department",
                condition=models.Q(state__in=["open", "rework"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.summary}"


class CoSigner(models.Model):
    """A named co-signer of a collective complaint (R-EXP-9)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="cosigners", verbose_name=_("投诉")
    )
    name = models.CharField(_("姓名"), max_length=50)
    room = models.CharField(_("房号"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("联名人")
        verbose_name_plural = _("联名人")


# The stored file's extension per content type detected from the bytes (services/attachments.sniff).
ATTACHMENT_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    # seed part 2 (issue 15): short video clips, typed by their ftyp box
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/3gpp": "3gp",
}


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never uses the uploaded name (which may be anything, `.html`, `.exe`): the digest
    # keeps it unique and the extension is the one of the type detected from the content.
    ext = ATTACHMENT_EXTENSIONS.get(instance.content_type, "bin")
    return f"attachments/{instance.company_id}/{instance.complaint_id}/{instance.sha256[:16]}.{ext}"


class Attachment(models.Model):
    """A photo or scanned letter ("照片为证"), stored through Django's storage API."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("公司"))
    issue = models.ForeignKey(
        ComplaintIssue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("问题"),
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")


class ReceiptCounter(models.Model):
    """The last receipt sequence used per office and day; locked while incremented, never decremented, so
    a receipt number is never given twice (R-INT-6)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "day"], name="receipt_counter_unique")]
