"""One complaint's clock and steps, and who does what: the base of `Life`."""

from __future__ import annotations

import random
import struct
import zlib
from datetime import datetime, timedelta

from django.db import connection

from docket.accounts.models import User
from docket.complaints.models import Channel, Complaint, Method, State
from docket.core import clock

from .build import Loader, OfficeKit
from .organisation import SUPERVISOR_POST
from .plans import Plan
from .residents import ResidentRef


class Reached(Exception):
    """The complaint has reached the state its plan stops at."""


COMPANY_SIDE = {Channel.COMPANY, Channel.DEVELOPER, Channel.GROUP, Channel.GOVERNMENT, Channel.ONLINE}


def png_photo(rng: random.Random, w: int = 96, h: int = 64) -> bytes:
    """A small generated PNG standing in for the owner's photo ("照片为证"): a shaded checkerboard."""
    base = [rng.randint(60, 200) for _ in range(3)]
    rows = []
    for y in range(h):
        light = bytes(min(255, c + (y * 40) // h) for c in base)
        dark = bytes(min(255, c + 30 + (y * 40) // h) for c in base)
        a, b = (light, dark) if (y // 12) % 2 else (dark, light)
        rows.append(b"\x00" + ((a * 12 + b * 12) * (w // 24 + 1))[: w * 3])

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def long_date(t: datetime) -> str:
    d = clock.to_local(t)
    return f"{d.year}年{d.month}月{d.day}日"


class Steps:
    """A complaint's clock and its steps through the services, each at its own past moment."""

    def __init__(self, loader: Loader, plan: Plan):
        self.L = loader
        self.p = plan
        self.rng = loader.rng
        if plan.kit is None or plan.who is None:
            raise ValueError("the plan has no office or resident yet")
        self.t: datetime = plan.arrival
        # Most complaints are handled promptly and meet their deadlines; some drag (R-SLA statistics).
        self.pace = loader.rng.choices((0.3, 1.0, 2.5), (70, 20, 10))[0]
        self.oral = plan.method in (Method.PHONE, Method.VISIT, Method.ONLINE)
        self.replied = False
        self.kit: OfficeKit = plan.kit
        self.who: ResidentRef = plan.who  # the complainant (or, when anonymous, a resident for the texts)
        self.co = loader.companies[plan.kit.company_key]
        self.cid = 0
        self.state: str = State.REGISTERED
        self.escalated = False
        self.lead = ""
        self.issue_ids: list[int] = []
        self.found: dict[int, tuple[str, str]] = {}
        self.forwarder_answered = False

    # time and steps

    def _advance(self, lo_h: float, hi_h: float, raw: bool = False) -> None:
        """Move this complaint's clock on by a step's delay, into office hours, never past the moment of
        loading. The delay is scaled by the complaint's pace, and shortened before an oral or online
        complaint's reply (due the same day); `raw` delays (third parties, the owner) are not scaled."""
        rng = self.rng
        factor = 1.0 if raw else self.pace * (0.12 if self.oral and not self.replied else 1.0)
        nxt = self.t + timedelta(hours=rng.uniform(lo_h, hi_h) * factor)
        local = clock.to_local(nxt)
        if local.hour >= 18 or local.hour < 8:
            day = local if local.hour < 8 else local + timedelta(days=1)
            local = day.replace(hour=8, minute=30) + timedelta(minutes=rng.randint(0, 60))
            nxt = local.astimezone(self.t.tzinfo)
        if nxt >= self.L.horizon:
            nxt = self.t + (self.L.horizon - self.t) * rng.uniform(0.2, 0.5)
        self.t = max(nxt, self.t)

    def do(self, lo_h: float, hi_h: float, fn, raw: bool = False, **kw):
        """A step of the main path: stop first if the plan's state has been reached."""
        if self.p.stop_at is not None and self.state == self.p.stop_at:
            raise Reached
        result = self.side(lo_h, hi_h, fn, raw=raw, **kw)
        with connection.cursor() as cursor:  # plain SQL: this runs after every step
            cursor.execute(f"SELECT state FROM {Complaint._meta.db_table} WHERE id = %s", [self.cid])
            self.state = cursor.fetchone()[0]
        return result

    def side(self, lo_h: float, hi_h: float, fn, raw: bool = False, **kw):
        """A step that does not move the complaint (notes, claims, reports)."""
        self._advance(lo_h, hi_h, raw)
        with clock.travel(self.t):
            return fn(complaint_id=self.cid, **kw)

    # who does what

    def sup(self, kind: str) -> User:
        return self.kit.users[SUPERVISOR_POST[kind]]

    def handler(self) -> User:
        return self.co.users["qm_info"] if self.escalated else self.sup(self.lead)

    def front(self) -> User:
        if self.escalated or self.p.channel in COMPANY_SIDE:
            return self.co.users["qm_info"]
        return self.kit.users["reception"]

    def registrar(self) -> User:
        if self.p.channel == Channel.COMMITTEE:
            return self.kit.users["committee"]
        if self.p.channel in COMPANY_SIDE:
            return self.co.users["qm_info"]
        return self.kit.users["reception"]

    def assigner(self) -> User:
        if self.p.channel in COMPANY_SIDE:
            if len(self.p.issues) > 1 and self.rng.random() < 0.5:
                return self.co.users["mgmt_rep"]
            return self.co.users["qm_info"]
        return self.kit.users["reception"]

    def dept_id(self, kind: str) -> int:
        return self.kit.depts[kind].id
