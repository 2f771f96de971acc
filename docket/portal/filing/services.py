"""Portal filing (issue 11): the phone proof by one-time SMS code, and the owner's own filing through the
intake service (`complaint_register` with `Actor.complainant("portal")`), photos checked by content and
re-encoded to their pixels only. Every refusal is a DomainError with a Chinese message; nothing is written
before every check has passed, and a filing that fails leaves neither a row nor a file."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from PIL import Image, ImageOps

from docket.complaints.actors import Actor
from docket.complaints.models import (
    PORTAL_COMPLAINANT_TYPES,
    Channel,
    ComplainantType,
    Complaint,
    Kind,
    Method,
)
from docket.complaints.services import ComplaintInput, UploadInput, complaint_register
from docket.complaints.services.attachments import (
    PIL_FORMATS,
    attachment_validate,
    files_removed_on_failure,
)
from docket.core import clock, phones
from docket.core.errors import DomainError
from docket.core.text import one_line
from docket.notifications.service import notify_code
from docket.org.models import Office, Room

from .models import PhoneCheck

VIA = "portal"
DESCRIPTION_MAX = 2000
DEMAND_MAX = 500
NAME_MAX = 20
LOCATION_MAX = 100
PHOTO_LONG_EDGE = 2560  # pixels; a phone's 12-megapixel photo is scaled down to this
SUBJECT_CHARS = 40


# --- the phone proof -------------------------------------------------------------------------------------


def phone_clean(value: str) -> str:
    """A mainland mobile number as 11 digits, or `phone_invalid`."""
    d = phones.normalize(value)
    if d is None or len(d) != 11:
        raise DomainError("phone_invalid")
    return d


def _hash(phone: str, code: str) -> str:
    """Keyed with the site's secret: six digits hashed alone could be read back by trying them all."""
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _lock_minutes(until) -> int:
    return max(1, int((until - clock.now()).total_seconds() // 60) + 1)


def phone_code_send(*, phone: str, company_id: int | None = None) -> None:
    """Send a new six-digit code to `phone` by SMS (the notification SMS channel) and keep only its keyed
    hash; a new code replaces the previous one. A locked phone gets nothing (`phone_locked`)."""
    phone = phone_clean(phone)
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = clock.now()
    minutes = settings.DOCKET_PORTAL_CODE_MINUTES
    with transaction.atomic():
        row, _ = PhoneCheck.objects.select_for_update().get_or_create(phone=phone)
        if row.locked_until and row.locked_until > now:
            raise DomainError("phone_locked", minutes=_lock_minutes(row.locked_until))
        row.code_hash, row.sent_at, row.expires_at = _hash(phone, code), now, now + timedelta(minutes=minutes)
        row.save(update_fields=["code_hash", "sent_at", "expires_at"])
        notify_code(
            phone=phone,
            body=f"【业主服务】您的验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人；如非本人操作，请忽略本短信。",
            params={"code": code, "minutes": str(minutes)},
            dedupe_key=f"portal-code:{phone}:{now.timestamp():.6f}",
            company_id=company_id,
        )


def phone_code_check(*, phone: str, code: str) -> str:
    """The phone, proven, when `code` is its current unexpired code (used once); else `code_wrong`, and
    after DOCKET_PORTAL_CODE_TRIES wrong codes in a row the phone is locked for DOCKET_PORTAL_LOCK_MINUTES
    (`phone_locked`, also while it lasts, whatever is typed). The count is kept across new codes."""
    phone = phone_clean(phone)
    code = "".join(ch for ch in (code or "") if not ch.isspace())
    now = clock.now()
    with transaction.atomic():
        row = PhoneCheck.objects.select_for_update().filter(phone=phone).first()
        if row is None:
            raise DomainError("code_wrong")
        if row.locked_until and row.locked_until > now:
            raise DomainError("phone_locked", minutes=_lock_minutes(row.locked_until))
        good = (
            bool(row.code_hash)
            and row.expires_at is not None
            and row.expires_at > now
            and len(code) == 6
            and hmac.compare_digest(row.code_hash, _hash(phone, code))
        )
        if good:
            row.code_hash, row.expires_at, row.failures, row.locked_until = "", None, 0, None
            row.save(update_fields=["code_hash", "expires_at", "failures", "locked_until"])
            return phone
        row.failures += 1
        locked = row.failures >= settings.DOCKET_PORTAL_CODE_TRIES
        if locked:
            row.locked_until = now + timedelta(minutes=settings.DOCKET_PORTAL_LOCK_MINUTES)
            row.failures, row.code_hash, row.expires_at = 0, "", None
        row.save(update_fields=["failures", "locked_until", "code_hash", "expires_at"])
    if locked:
        raise DomainError("phone_locked", minutes=settings.DOCKET_PORTAL_LOCK_MINUTES)
    raise DomainError("code_wrong")


# --- photos ----------------------------------------------------------------------------------------------


@dataclass
class Photo:
    name: str
    content: bytes


def photo_clean(photo: Photo) -> UploadInput:
    """The photo checked by the intake's own rules (type from the content, size, pixel count, decoded
    whole) and then re-encoded from its pixels alone: orientation applied, scaled to PHOTO_LONG_EDGE,
    every piece of metadata (EXIF with its GPS position, XMP, comments) left behind. JPEG, or PNG when it
    has transparency. A PDF or anything else is refused: the portal takes photos."""
    upload = UploadInput(name=photo.name[:100] or "photo", content=photo.content)
    content_type = attachment_validate(upload)
    if not content_type.startswith("image/"):
        raise DomainError("photo_not_image", name=upload.name)
    with Image.open(io.BytesIO(photo.content), formats=[PIL_FORMATS[content_type]]) as img:
        img.seek(0)
        pixels = ImageOps.exif_transpose(img.copy())
    pixels.thumbnail((PHOTO_LONG_EDGE, PHOTO_LONG_EDGE))
    out = io.BytesIO()
    clear = pixels.mode in ("RGBA", "LA", "PA") or (pixels.mode == "P" and "transparency" in pixels.info)
    pixels.info = {}
    if clear:
        pixels.convert("RGBA").save(out, format="PNG", optimize=True)
        ext = "png"
    else:
        pixels.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
        ext = "jpg"
    stem = upload.name.rsplit(".", 1)[0][:90] or "photo"
    return UploadInput(name=f"{stem}.{ext}", content=out.getvalue())


# --- the filing ------------------------------------------------------------------------------------------


@dataclass
class Filing:
    """What the owner typed on the filing form (already parsed from the request)."""

    office_id: int
    kind: str
    description: str
    demand: str = ""
    anonymous: bool = False
    name: str = ""
    phone: str = ""  # the proven phone (the view passes only a phone proven in this session)
    building_id: int | None = None
    unit_name: str = ""
    room_number: str = ""
    public_area: bool = False
    location: str = ""
    photos: list[Photo] | None = None
    # seed3 (issue 15): owner, tenant or visitor (staff complain through the internal channels); "" = owner.
    complainant_type: str = ""


def _length(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError("text_too_long", field=field, limit=limit, length=len(value))
    return value


def room_resolve(office: Office, building_id: int | None, unit_name: str, room_number: str) -> Room:
    """The room of the office's own community named by building, unit and number; `room_not_found` for
    anything else (another community's building, a made-up number)."""
    room = (
        Room.objects.select_related("unit__building")
        .filter(
            unit__building_id=building_id,
            unit__building__community__office=office,
            unit__name=(unit_name or "").strip(),
            number=(room_number or "").strip(),
        )
        .first()
        if building_id
        else None
    )
    if room is None:
        raise DomainError("room_not_found")
    return room


def portal_file(f: Filing) -> Complaint:
    """File a complaint, suggestion or inquiry for the owner through the intake service, as the
    complainant (`Actor.complainant("portal")`, method and channel online, so the R-EXP-4 limits per
    phone apply). All checks first — text lengths, the place, every photo — then one intake; if the
    intake fails, the photos it stored are removed again."""
    office = Office.objects.filter(pk=f.office_id).first()
    if office is None:
        raise DomainError("not_found")
    if f.kind not in Kind.values:
        raise DomainError("validation", detail="请选择投诉、建议或咨询")
    description = _length(f.description, "事情经过", DESCRIPTION_MAX)
    if not description:
        raise DomainError("required", field="事情经过")
    demand = _length(f.demand, "您的诉求", DEMAND_MAX)
    complainant_type = f.complainant_type or ComplainantType.OWNER
    if complainant_type not in PORTAL_COMPLAINANT_TYPES:
        raise DomainError("validation", detail="请选择您的身份：业主、租户或访客")
    name = "" if f.anonymous else _length(f.name, "称呼", NAME_MAX)
    if not f.anonymous and not name:
        raise DomainError("required", field="您的称呼（姓氏即可）")
    phone = "" if f.anonymous else phone_clean(f.phone)
    room = None
    location = ""
    if f.public_area:
        location = _length(f.location, "公共区域位置", LOCATION_MAX)
        if not location:
            raise DomainError("required", field="公共区域的位置")
    else:
        room = room_resolve(office, f.building_id, f.unit_name, f.room_number)
    photos = f.photos or []
    limit = settings.DOCKET_PORTAL_MAX_PHOTOS
    if len(photos) > limit:
        raise DomainError("photos_too_many", limit=limit)
    uploads = [photo_clean(p) for p in photos]
    subject = one_line(description)[:SUBJECT_CHARS]
    data = ComplaintInput(
        office_id=office.id,
        channel=Channel.ONLINE,
        method=Method.ONLINE,
        kind=f.kind,
        subject=subject,
        description=description,
        demand=demand,
        anonymous=f.anonymous,
        complainant_name=name,
        complainant_phone=phone,
        room_id=room.id if room else None,
        location=location,
        attachments=uploads,
        complainant_type=complainant_type,
    )
    with files_removed_on_failure():
        return complaint_register(actor=Actor.complainant(VIA), data=data).complaint
