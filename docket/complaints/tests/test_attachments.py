"""Attachments are checked by content: stored under the detected type's extension, images within a pixel
limit and stripped of metadata, PDFs without active content (services/attachments.py)."""

import io
import struct
import time
import zlib

import pytest
from PIL import ExifTags, Image

from docket.complaints import services as s
from docket.complaints.models import Attachment
from docket.complaints.services import UploadInput
from docket.complaints.services.attachments import pdf_active_content
from docket.core.errors import DomainError
from docket.core.testing.images import PNG, image_bytes


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int, extra: bytes = b"") -> bytes:
    """A few hundred bytes whose header claims width×height RGB pixels (nothing of that size is made)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + extra
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def _add(org, c, name: str, content: bytes) -> Attachment:
    return s.attachment_add(
        actor=org.a.users["reception"], complaint_id=c.id, upload=UploadInput(name, content)
    )


def _refused(org, c, name: str, content: bytes) -> str:
    with pytest.raises(DomainError) as err:
        _add(org, c, name, content)
    assert not Attachment.objects.filter(complaint=c).exists()
    return err.value.code


def test_stored_extension_comes_from_the_content_not_the_name(org, complaint_factory):
    c = complaint_factory()
    att = _add(org, c, "page.html", PNG)
    assert att.content_type == "image/png" and att.original_name == "page.html"
    assert att.file.name.endswith(".png") and ".html" not in att.file.name
    att = _add(org, c, "setup.exe", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    assert att.file.name.endswith(".pdf")
    # HTML that calls itself a photo is no image at all.
    html = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
    assert _refused(org, complaint_factory(), "photo.jpg", html) == "attachment_type"


def test_a_decompression_bomb_is_refused_from_its_header(org, complaint_factory):
    c = complaint_factory()
    bomb = png_claiming(20000, 20000)  # 400 megapixels, 1.2 GB once decoded
    assert len(bomb) < 200
    started = time.monotonic()
    with pytest.raises(DomainError) as err:
        _add(org, c, "bomb.png", bomb)
    assert err.value.code == "attachment_pixels" and "40 百万像素" in err.value.message
    assert time.monotonic() - started < 2  # refused without decoding
    # Under Pillow's own limit (89 M) but over ours (40 M).
    assert _refused(org, c, "big.png", png_claiming(7000, 7000)) == "attachment_pixels"


def test_the_pixel_limit_is_a_setting(org, complaint_factory, settings):
    c = complaint_factory()
    settings.DOCKET_ATTACHMENT_MAX_PIXELS = 40
    assert _refused(org, c, "p.png", PNG) == "attachment_pixels"  # 8×6 = 48 pixels
    settings.DOCKET_ATTACHMENT_MAX_PIXELS = 48
    assert _add(org, c, "p.png", PNG).size == len(PNG)


def test_a_truncated_image_is_refused(org, complaint_factory):
    photo = image_bytes("JPEG", size=(64, 48))
    assert _refused(org, complaint_factory(), "cut.jpg", photo[: len(photo) // 2]) == "attachment_broken"
    assert _refused(org, complaint_factory(), "fake.png", png_claiming(4, 4)[:40]) == "attachment_broken"


def _photo_with_gps() -> bytes:
    img = Image.new("RGB", (40, 20), (10, 120, 200))
    img.paste((250, 250, 0), (0, 0, 10, 20))  # a yellow stripe on the left
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # taken with the phone turned: rotate 90° clockwise to view
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 54.0, 27.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (116.0, 23.0, 44.0)
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, quality=95)
    return buf.getvalue()


def test_photos_lose_exif_and_gps_and_are_turned_upright(org, complaint_factory):
    raw = _photo_with_gps()
    before = Image.open(io.BytesIO(raw))
    assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload does carry a position
    att = _add(org, complaint_factory(), "现场.jpg", raw)
    stored = att.file.read()
    assert stored != raw and len(stored) == att.size
    img = Image.open(io.BytesIO(stored))
    assert img.format == "JPEG" and not img.getexif() and "exif" not in img.info
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    assert img.size == (20, 40)  # orientation applied to the pixels
    r, g, b = img.convert("RGB").getpixel((10, 2))
    assert r > 200 and g > 200 and b < 80  # the stripe is now at the top
    import hashlib

    assert att.sha256 == hashlib.sha256(stored).hexdigest()


def test_png_text_chunks_and_trailing_bytes_are_dropped(org, complaint_factory):
    c = complaint_factory()
    text = _chunk(b"tEXt", b"Comment\x00owner phone 13800000001")
    att = _add(org, c, "a.png", png_claiming(4, 4, extra=text))
    stored = att.file.read()
    assert b"13800000001" not in stored and Image.open(io.BytesIO(stored)).size == (4, 4)
    polyglot = PNG + b"<script>alert(1)</script>"
    stored = _add(org, c, "b.png", polyglot).file.read()
    assert b"<script>" not in stored


def test_bare_images_are_stored_as_uploaded(org, complaint_factory):
    """No second JPEG compression when there is nothing to strip."""
    jpeg = image_bytes("JPEG", size=(32, 24))
    att = _add(org, complaint_factory(), "clean.jpg", jpeg)
    assert att.file.read() == jpeg


def _pdf(*objects: bytes) -> bytes:
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    for n, obj in enumerate(objects, start=1):
        body += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    return body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"


def _stream(head: bytes, data: bytes) -> bytes:
    return head[:-2] + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


@pytest.mark.parametrize(
    ("label", "pdf"),
    [
        ("javascript", _pdf(b"<< /Type /Catalog /Names << /JavaScript 3 0 R >> >>", PAGES, b"<< /S /JS >>")),
        ("open action", _pdf(b"<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>")),
        ("hex-escaped name", _pdf(b"<< /Type /Catalog /OpenAction << /S /J#61vaScript /J#53 (x) >> >>")),
        ("launch", _pdf(CATALOG, PAGES, b"<< /Type /Action /S /Launch /F (cmd.exe) >>")),
        ("additional actions", _pdf(CATALOG, b"<< /Type /Page /AA << /O 4 0 R >> >>")),
        ("embedded file", _pdf(CATALOG, b"<< /Type /EmbeddedFile >>")),
        ("rich media", _pdf(CATALOG, b"<< /Subtype /RichMedia >>")),
        (
            "hidden in an object stream",
            _pdf(
                CATALOG,
                _stream(
                    b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>",
                    zlib.compress(b"3 0 << /Type /Action /S /JavaScript /JS (app.alert(1)) >>"),
                ),
            ),
        ),
        (
            "unreadable object stream",
            _pdf(CATALOG, _stream(b"<< /Type /ObjStm /Filter /FlateDecode >>", b"xx")),
        ),
    ],
)
def test_pdfs_with_active_content_are_refused(org, complaint_factory, label, pdf):
    assert pdf_active_content(pdf)
    with pytest.raises(DomainError) as err:
        _add(org, complaint_factory(), "扫描件.pdf", pdf)
    assert err.value.code == "attachment_active_pdf"
    assert "PDF" in err.value.message and "扫描件.pdf" in err.value.message


def test_plain_pdfs_pass_even_when_image_bytes_look_like_names(org, complaint_factory):
    noise = b"\x00\x11/JS /AA /Launch\x00" * 20  # bytes inside a photo are not PDF names
    pdf = _pdf(CATALOG, PAGES, _stream(b"<< /Type /XObject /Subtype /Image /Filter /DCTDecode >>", noise))
    assert pdf_active_content(pdf) == ""
    att = _add(org, complaint_factory(), "信函.pdf", pdf)
    assert att.content_type == "application/pdf" and att.file.read() == pdf
    # A compressed object stream with ordinary objects is read and passes.
    objstm = _stream(
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>", zlib.compress(b"3 0 << /Kids [] >>")
    )
    assert pdf_active_content(_pdf(CATALOG, objstm)) == ""
