"""Short video clips as evidence (seed part 2, issue 15): typed by the leading ftyp box (MP4, MOV, 3GP), not
by the name; whole (boxes chain to the end, a movie header present); within their own size limit; shown
on the complaint page as a <video>."""

from __future__ import annotations

import struct

import pytest
from django.urls import reverse

from docket.complaints import services as s
from docket.complaints.models import Attachment
from docket.complaints.services import UploadInput
from docket.complaints.services.attachments import video_sniff
from docket.core.errors import DomainError


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def clip(brand: bytes = b"isom", media: int = 64, moov: bool = True) -> bytes:
    ftyp = box(b"ftyp", brand + struct.pack(">I", 0x200) + brand + b"mp41")
    return ftyp + (box(b"moov", box(b"mvhd", b"\x00" * 100)) if moov else b"") + box(b"mdat", b"\x01" * media)


def _add(org, c, name, content):
    return s.attachment_add(
        actor=org.a.users["reception"], complaint_id=c.id, upload=UploadInput(name, content)
    )


@pytest.mark.parametrize(
    ("brand", "content_type", "ext"),
    [(b"isom", "video/mp4", "mp4"), (b"qt  ", "video/quicktime", "mov"), (b"3gp5", "video/3gpp", "3gp")],
)
def test_clips_are_typed_by_their_ftyp_box_not_their_name(org, complaint_factory, brand, content_type, ext):
    c = complaint_factory()
    att = _add(org, c, "现场.txt", clip(brand))
    assert att.content_type == content_type and att.file.name.endswith(f".{ext}")
    with att.file.open("rb") as f:
        assert f.read() == clip(brand)  # stored as uploaded


@pytest.mark.parametrize(
    ("label", "content", "code"),
    [
        ("a HEIF photo (same box, other brand)", clip(b"heic"), "attachment_type"),
        ("a renamed text file", b"not a video at all, just text", "attachment_type"),
        ("no movie header", clip(moov=False), "attachment_broken"),
        ("truncated", clip()[:-10], "attachment_broken"),
        ("bytes after the last box", clip() + b"<script>", "attachment_broken"),
    ],
)
def test_bad_clips_are_refused(org, complaint_factory, label, content, code):
    c = complaint_factory()
    before = c.version
    with pytest.raises(DomainError) as err:
        _add(org, c, "clip.mp4", content)
    assert err.value.code == code, label
    assert not Attachment.objects.filter(complaint=c).exists()
    c.refresh_from_db()
    assert c.version == before


def test_the_video_size_limit_is_a_setting_and_larger_than_a_photos(org, complaint_factory, settings):
    c = complaint_factory()
    settings.DOCKET_ATTACHMENT_MAX_BYTES = 1000
    settings.DOCKET_VIDEO_MAX_BYTES = 5000
    assert _add(org, c, "a.mp4", clip(media=3000)).size > 1000  # a photo this size would be refused
    with pytest.raises(DomainError) as err:
        _add(org, c, "b.mp4", clip(media=6000))
    assert err.value.code == "attachment_size" and "0" in err.value.message


def test_the_default_video_limit_is_50_mb():
    from django.conf import settings

    assert settings.DOCKET_VIDEO_MAX_BYTES == 50 * 1024 * 1024


def test_sniff_needs_the_box_at_the_start():
    assert video_sniff(b"\x00" * 4 + clip()) is None
    assert video_sniff(clip()) == "video/mp4"


def test_the_page_shows_a_video_element(client, org, complaint_factory):
    c = complaint_factory()
    att = _add(org, c, "现场.mp4", clip())
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    url = reverse("complaints:attachment", args=[c.id, att.id])
    assert '<video class="clip" controls preload="metadata" playsinline' in html and f'src="{url}"' in html
    r = client.get(url)
    assert r["Content-Type"] == "video/mp4"


def test_a_clips_location_device_and_author_are_blanked_and_its_media_kept(org, complaint_factory):
    """The metadata boxes (udta with ©xyz, meta, XMP uuid) become `free` boxes of the same size, zeroed:
    the sample offsets into mdat stay right and the media bytes are the same."""
    gps = box(b"\xa9xyz", b"+39.9042+116.4074/")
    udta = box(b"udta", gps + box(b"\xa9mak", b"Apple iPhone") + box(b"\xa9aut", b"Wang Xiaoming"))
    trak = box(b"trak", box(b"tkhd", b"\x00" * 84) + box(b"udta", box(b"name", b"Wang's clip")))
    moov = box(b"moov", box(b"mvhd", b"\x00" * 100) + trak + udta + box(b"meta", b"\x00" * 4 + gps))
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isommp41")
    xmp = box(b"uuid", bytes.fromhex("be7acfcb97a942e89c71999491e3afac") + b"<x:xmpmeta>GPS</x:xmpmeta>")
    media = box(b"mdat", b"\x01\x02\x03" * 50)
    upload = ftyp + moov + xmp + media
    c = complaint_factory()
    att = _add(org, c, "现场.mp4", upload)
    with att.file.open("rb") as f:
        stored = f.read()
    assert len(stored) == len(upload) and stored.endswith(media)  # nothing moved
    for secret in (b"39.9042", b"iPhone", b"Wang", b"xmpmeta", b"udta", b"\xa9xyz"):
        assert secret not in stored, secret
    assert stored.count(b"free") == 4 and b"mvhd" in stored and b"tkhd" in stored
    assert att.size == len(stored)
    from docket.complaints.services.attachments import video_is_whole

    assert video_is_whole(stored) and video_sniff(stored) == "video/mp4"
