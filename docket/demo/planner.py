"""Draws the demo complaints' plans: one of each state first, then the seven-point letter, a repeat
cluster, and the rest by TARGET_WEIGHTS, from a seeded random (the same seed gives the same plans)."""

from __future__ import annotations

from datetime import datetime, timedelta

from docket.complaints.models import Channel, Kind, Method, Severity, State
from docket.complaints.workflow import REVIEW_ROUTES, TWO_LEVEL_CHANNELS
from docket.core import clock

from .build import Loader, OfficeKit
from .plans import (
    AGE_DAYS,
    COMBO_TOUR,
    COMBOS,
    COVERAGE,
    REVIEWED,
    TARGET_WEIGHTS,
    IssuePlan,
    Plan,
)
from .residents import ResidentRef
from .texts import LETTER7_ISSUES, LETTER7_TEXT
from .topics import TOPIC, TOPICS, WHEN


class Planner(Loader):
    """The loader with its planning steps."""

    def _age(self, target: str) -> datetime:
        lo, hi = AGE_DAYS[target]
        return self.horizon - timedelta(days=self.rng.uniform(lo, hi))

    def _daytime(self, t: datetime, online: bool) -> datetime:
        """Move an arrival into reception hours (8:00–20:00), never later than it was."""
        local = clock.to_local(t)
        if online and self.rng.random() < 0.3:
            return t
        if local.hour >= 20:
            local = local.replace(hour=self.rng.randint(16, 19), minute=self.rng.randint(0, 59))
        elif local.hour < 8:
            local = (local - timedelta(days=1)).replace(
                hour=self.rng.randint(16, 19), minute=self.rng.randint(0, 59)
            )
        return local.astimezone(t.tzinfo)

    def _ctx(self, kit: OfficeKit, who: ResidentRef | None) -> dict:
        rng = self.rng
        ref = who or rng.choice(kit.residents)
        return {
            "bld": ref.bld,
            "unit": ref.unit,
            "room": ref.room,
            "n": rng.randint(2, 5),
            "when": rng.choice(WHEN),
            "community": kit.spec.community,
        }

    def plans(self, count: int) -> list[Plan]:
        rng = self.rng
        # One of each state first (the on-the-spot one an inquiry, the follow-up one a suggestion), so
        # that even a small load shows everything; then the seven-point letter and a repeat cluster.
        kinds = {"on_spot": Kind.INQUIRY, State.FOLLOW_UP: Kind.SUGGESTION}
        slots: list[tuple[str, str]] = [(t, kinds.get(t, "")) for t in COVERAGE]
        slots += [(State.UNCLOSED, "letter7")] + [(State.CLOSED, "cluster")] * 3
        targets = list(TARGET_WEIGHTS)
        weights = list(TARGET_WEIGHTS.values())
        while len(slots) < count:
            slots.append((rng.choices(targets, weights)[0], ""))
        slots = slots[:count]
        tour = list(COMBO_TOUR)
        out = []
        cluster_day = self.horizon - timedelta(days=rng.uniform(40, 60))
        online_slot = True
        for target, special in slots:
            combo = None
            if target == State.CLOSED and not special and tour:
                combo = tour.pop(0)
            if target == State.ASSIGNED and online_slot:
                # The QM information officer's day (seed 5.2.3.3, infoofficer): the first company's first
                # office has an online complaint handed to a department, its courtesy reply still owed.
                combo, online_slot = (Channel.ONLINE, Method.ONLINE), False
            if special == "letter7":
                out.append(self._plan_letter7())
            elif special == "cluster":
                out.append(self._plan_cluster(cluster_day, len([p for p in out if p.special == "cluster"])))
            else:
                out.append(self._plan(target, combo, kind=special))
        return out

    def _pick_combo(self, target: str) -> tuple[Channel, Method]:
        rng = self.rng
        combos = [c for c, _w in COMBOS]
        weights = [w for _c, w in COMBOS]
        while True:
            channel, method = rng.choices(combos, weights)[0]
            if target in (State.IN_REVIEW, State.REPLY_APPROVED) and method not in REVIEWED:
                continue
            if target == State.QM_VERIFYING and not (
                channel in TWO_LEVEL_CHANNELS or method == Method.ONLINE
            ):  # only company-level and online complaints wait for QM's verification (seed 5.2.3.6)
                continue
            return channel, method

    def _plan(self, target: str, combo: tuple[Channel, Method] | None, kind: str = "") -> Plan:
        rng = self.rng
        p = Plan(target=target)
        if target == "on_spot":
            p.channel, p.method = Channel.OFFICE, rng.choice((Method.PHONE, Method.PHONE, Method.VISIT))
        else:
            p.channel, p.method = combo or self._pick_combo(target)
        # office
        if p.channel == Channel.COMMITTEE or (
            target == State.ASSIGNED and combo == (Channel.ONLINE, Method.ONLINE)
        ):
            p.kit = self.offices[0]
        else:
            p.kit = rng.choices(self.offices, [o.spec.weight for o in self.offices])[0]
        kit = p.kit
        # what ends where
        if target == State.UNCLOSED:
            p.stop_at = rng.choice(
                (State.NEGOTIATING, State.NEGOTIATING, State.WITH_DEVELOPER, State.INVESTIGATING)
            )
            p.ending = "unclosed"
        elif target == State.WITHDRAWN:
            p.stop_at = rng.choice(
                (State.REGISTERED, State.ASSIGNED, State.INVESTIGATING, State.INVESTIGATING, State.REPLIED)
            )
            p.ending = "withdraw"
        elif target not in (State.CLOSED, "on_spot"):
            p.stop_at = target
        # topic
        if target == "on_spot":
            pool = [t for t in TOPICS if t.on_spot and (t.kind == kind or not kind)]
        elif p.stop_at == State.WITH_DEVELOPER:
            pool = [t for t in TOPICS if t.developer]
        else:
            if not kind:
                kind = rng.choices((Kind.COMPLAINT, Kind.SUGGESTION, Kind.INQUIRY), (80, 11, 9))[0]
                if p.channel == Channel.SUGGESTION_BOX:
                    kind = rng.choice((Kind.COMPLAINT, Kind.SUGGESTION, Kind.SUGGESTION))
                # Forwarded and escalated-looking paths are complaints.
                if (
                    p.channel in (Channel.DEVELOPER, Channel.GOVERNMENT, Channel.GROUP)
                    or p.ending == "unclosed"
                    or p.stop_at == State.NEGOTIATING
                ):
                    kind = Kind.COMPLAINT
            pool = [t for t in TOPICS if t.kind == kind]
        p.topic = topic = rng.choices(pool, [t.weight for t in pool])[0]
        p.kind = topic.kind
        p.received_at = self._daytime(self._age(target), p.method == Method.ONLINE)

        # complainant
        p.anonymous = rng.random() < {Channel.SUGGESTION_BOX: 0.6, Channel.ONLINE: 0.25}.get(
            p.channel, 0.05 if p.method == Method.PHONE else 0.0
        )
        if target in ("on_spot", State.FOLLOW_UP):  # anonymous ones are exempted from the visit (5.2.5.1 B)
            p.anonymous = False
        p.who = rng.choice(kit.residents)
        ctx = self._ctx(kit, p.who)
        multi = (
            p.method in (Method.LETTER, Method.GOVERNMENT_FORWARD, Method.EMAIL)
            and p.kind == Kind.COMPLAINT
            and target != "on_spot"
            and p.stop_at != State.WITH_DEVELOPER
            and rng.random() < 0.25
        )
        if multi:
            self._compose_multi(p, kit)
        else:
            p.subject = rng.choice(topic.subjects).format(**ctx)
            p.description = rng.choice(topic.descriptions).format(**ctx)
            p.demand = rng.choice(topic.demands).format(**ctx)
            p.location = topic.location.format(**ctx)
            p.issues = [IssuePlan(topic.summary.format(**ctx), topic.category, topic.dept, topic, ctx)]
            if topic.collective and not p.anonymous and rng.random() < 0.12:
                p.people = rng.randint(3, 15)
        if p.people > 1:
            others = [r for r in kit.residents if r is not p.who]
            p.cosigners = rng.sample(others, min(p.people - 1, rng.randint(2, 8)))
        if target == "on_spot":
            p.spot_note = topic.on_spot
            return p

        # handling features
        p.photo = topic.photo and rng.random() < 0.4
        p.developer = p.stop_at == State.WITH_DEVELOPER or (topic.developer and rng.random() < 0.85)
        p.home_return = topic.key == "house_quality" and rng.random() < 0.3
        if topic.claim and rng.random() < 0.55 and p.kind == Kind.COMPLAINT:
            lo, hi = topic.claim
            amount = rng.randint(lo, hi)
            if rng.random() < 0.1:
                amount = rng.randint(8000, 80000)
            p.claim = amount // 10 * 10
        deep = p.stop_at not in (State.REGISTERED, State.ASSIGNED)
        complaint = p.kind == Kind.COMPLAINT
        p.escalate = "" if not (deep and complaint) else rng.choices(("", "early", "late"), (88, 7, 5))[0]
        if p.ending == "unclosed" and p.escalate == "" and rng.random() < 0.5:
            p.escalate = "early"
        single = len(p.issues) == 1
        p.refuse = single and rng.random() < 0.04
        p.transfer = single and not p.refuse and rng.random() < 0.05
        if p.method in REVIEWED and rng.random() < 0.25:
            stages = REVIEW_ROUTES[p.method]
            p.return_stage = rng.choice(stages)
        if p.stop_at == State.NEGOTIATING or (complaint and rng.random() < 0.12):
            p.disagree = rng.randint(1, 2)
        if p.escalate == "late" and not p.disagree:
            p.disagree = 1
        p.rework = complaint and rng.random() < 0.06
        p.unreasonable = topic.unreasonable
        p.sensitive = (
            topic.key in ("public_income", "committee_room")
            and rng.random() < 0.5
            and p.stop_at != State.FOLLOW_UP  # sensitive ones are exempted from the visit (5.2.5.1 C)
        )
        p.risk = complaint and (rng.random() < 0.03 or (p.people >= 5 and rng.random() < 0.3))
        p.ncr = bool(p.escalate and rng.random() < 0.5) or (
            topic.key in ("guard", "water_tank", "parking_fee") and rng.random() < 0.25
        )
        p.note = rng.random() < 0.2
        p.pause = rng.random() < 0.05
        self._forwarding(p)
        self._classify(p)
        return p

    def _compose_multi(self, p: Plan, kit: OfficeKit) -> None:
        rng = self.rng
        pool = [t for t in TOPICS if t.kind == Kind.COMPLAINT and not t.developer and not t.unreasonable]
        chosen = rng.sample(pool, rng.randint(3, 5))
        numerals = "一二三四五六七"
        parts, issues = [], []
        for i, t in enumerate(chosen):
            ctx = self._ctx(kit, None)
            issues.append(IssuePlan(t.summary.format(**ctx), t.category, t.dept, t, ctx))
            parts.append(
                f"（{numerals[i]}）{t.summary.format(**ctx)}：{rng.choice(t.descriptions).format(**ctx)}"
            )
        p.issues = issues
        p.topic = chosen[0]
        p.subject = rng.choice(
            (
                "关于{c}物业服务存在问题的联名投诉信",
                "关于{c}管理处多项服务问题的投诉",
                "{c}业主关于小区安全隐患和服务质量的投诉",
            )
        ).format(c=kit.spec.community)
        c = kit.spec.community
        p.description = (
            f"{c}管理处：\n    我们是{c}的业主，近一段时间以来小区物业服务问题频发，多次口头反映得不到解决，"
            "现将主要问题书面反映如下：\n"
            + "\n".join(parts)
            + "\n    以上问题请管理处逐条核查，并在规定时间内书面答复。"
        )
        p.demand = "逐条整改并书面答复，公布整改时间表。"
        if not p.anonymous and rng.random() < 0.5:
            p.people = rng.randint(3, 12)

    def _forwarding(self, p: Plan) -> None:
        if p.method == Method.DEVELOPER_FORWARD:
            p.forwarder = "developer"
        elif p.method == Method.GOVERNMENT_FORWARD:
            p.forwarder = self.rng.choice(("hotline", "hotline", "petition", "government"))

    def _classify(self, p: Plan) -> None:
        """Hot/major by the seed's rules (R-ESC) from the facts the plan knows at intake."""
        if p.media or p.people >= 10:
            p.severity = Severity.MAJOR
            p.severity_reason = "已被媒体曝光" if p.media else f"{p.people}人集体投诉（10人以上）"
        elif p.people >= 3 or p.risk:
            p.severity = Severity.HOT
            p.severity_reason = (
                f"{p.people}人集体投诉（3人以上）" if p.people >= 3 else "可能引发诉讼或媒体曝光"
            )

    def _plan_letter7(self) -> Plan:
        rng = self.rng
        kit = next(o for o in self.offices if o.spec.code == "YY")
        p = Plan(
            target=State.UNCLOSED,
            kit=kit,
            channel=Channel.GOVERNMENT,
            method=Method.GOVERNMENT_FORWARD,
            stop_at=State.NEGOTIATING,
            ending="unclosed",
            special="letter7",
        )
        p.received_at = self._daytime(self.horizon - timedelta(days=rng.uniform(70, 90)), False)
        p.who = kit.residents[0]
        p.people = 12
        p.cosigners = kit.residents[1:9]
        p.subject = "关于华信物业雅苑管理处侵害业主权益的投诉书"
        p.description = LETTER7_TEXT
        p.demand = "逐条整改，公示收费依据和公共收益，尽快维修外墙，支持业主大会成立。"
        p.location = "雅苑小区"
        ctx = self._ctx(kit, p.who)
        p.issues = [
            IssuePlan(summary, cat, dept, None, ctx, (f, m)) for summary, cat, dept, f, m in LETTER7_ISSUES
        ]
        p.topic = TOPIC["facade"]
        p.photo = True
        p.developer = True
        p.escalate = "early"
        p.return_stage = "general_office"
        p.disagree = 2
        p.media = p.risk = True
        p.ncr = True
        p.forwarder = "petition"
        self._classify(p)
        p.severity_reason = "已被媒体曝光；12人集体投诉（10人以上）"
        return p

    def _plan_cluster(self, day: datetime, i: int) -> Plan:
        """The same complaint from different owners within a month: hot from the third on (R-ESC-1)."""
        rng = self.rng
        kit = next(o for o in self.offices if o.spec.code == "YY")
        topic = TOPIC["parking_fee"]
        p = Plan(
            target=State.CLOSED,
            kit=kit,
            topic=topic,
            channel=Channel.OFFICE,
            method=(Method.VISIT, Method.PHONE, Method.LETTER)[i % 3],
            special="cluster",
        )
        p.received_at = self._daytime(day + timedelta(days=3 * i, hours=rng.uniform(0, 8)), False)
        p.who = kit.residents[10 + i]
        ctx = self._ctx(kit, p.who)
        p.subject = topic.subjects[i % len(topic.subjects)]
        p.description = topic.descriptions[i % len(topic.descriptions)].format(**ctx)
        p.demand = topic.demands[0]
        p.location = topic.location
        p.issues = [IssuePlan(topic.summary, topic.category, topic.dept, topic, ctx)]
        p.disagree = 1 if i == 2 else 0
        if i >= 2:
            p.severity = Severity.HOT
            p.severity_reason = "一个月内三名以上不同投诉人的相同投诉（停车费上涨）"
        return p
