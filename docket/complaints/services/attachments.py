"""Attachments (R-INT-4): photos and scanned letters, checked by their content and stored under a name
of our own.

- The type comes from the first bytes (`sniff`): JPEG, PNG, GIF, WEBP or PDF. The upload's name and the
  browser's word are never trusted, and the stored file's extension is the detected type's
  (`models.complaint.attachment_path`), so an `.html` or `.exe` name never reaches the disk.
- Images: the pixel count is read from the header, before anything is decoded, and refused above
  `DOCKET_ATTACHMENT_MAX_PIXELS` (a small PNG can claim 20000×20000 and take gigabytes to decode); the
  image is then decoded once to prove it is whole. When stored, an image carrying anything besides its
  pixels (EXIF with its GPS position and orientation, XMP, comments, text chunks, bytes after its end)
  is re-encoded with Pillow: orientation applied to the pixels, all metadata dropped, only the colour
  profile and transparency kept. A bare JPEG or PNG is stored as uploaded (no second JPEG compression);
  GIF and WEBP are always re-encoded.
- PDFs: refused when they carry active content — JavaScript, an action run on opening or on events
  (/OpenAction, /AA), /Launch, embedded files or rich media — also when the names are hex-escaped
  (/J#61vaScript) or hidden in compressed object streams; an object stream that cannot be read
  (encrypted, broken) is refused too, since it cannot be checked.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import io
import re
import warnings
import zlib
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from docket.core.errors import DomainError

from ..models import Attachment, Complaint
from ..models.complaint import ATTACHMENT_EXTENSIONS

PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
# What decoding may raise on a broken or hostile image.
_IMAGE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
)


def sniff(content: bytes) -> str | None:
    """The real type from the first bytes; the file name and the browser's word are not trusted."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    return video_sniff(content)


# --- short video clips (seed part 2, issue 15) -------------------------------------------------------------
# ISO base media files (MP4, QuickTime MOV, 3GP) open with an `ftyp` box whose major brand names the kind.
# HEIF/AVIF photos use the same box with other brands and are not accepted.
VIDEO_BRANDS: dict[bytes, str] = {
    **{b: "video/mp4" for b in (b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1")},
    **{b: "video/mp4" for b in (b"M4V ", b"M4VH", b"M4VP", b"dash", b"mmp4", b"MSNV", b"XAVC", b"f4v ")},
    b"qt  ": "video/quicktime",
    **{b: "video/3gpp" for b in (b"3gp4", b"3gp5", b"3gp6", b"3gp7", b"3ge6", b"3ge7", b"3gg6", b"3g2a")},
}
VIDEO_TYPES = frozenset(VIDEO_BRANDS.values())


def video_sniff(content: bytes) -> str | None:
    """video/mp4, video/quicktime or video/3gpp from the leading `ftyp` box (its major brand), else None."""
    if len(content) < 16 or content[4:8] != b"ftyp":
        return None
    size = int.from_bytes(content[0:4], "big")
    if size < 16 or size > 4096:
        return None
    return VIDEO_BRANDS.get(content[8:12])


def video_is_whole(content: bytes) -> bool:
    """The top-level boxes chain exactly to the end of the file and include the movie header (`moov`): a
    truncated upload, a renamed photo or bytes appended after the last box are refused."""
    pos, seen = 0, set()
    end = len(content)
    while pos < end:
        if pos + 8 > end:
            return False
        size = int.from_bytes(content[pos : pos + 4], "big")
        kind = content[pos + 4 : pos + 8]
        header = 8
        if size == 1:  # 64-bit size follows
            if pos + 16 > end:
                return False
            size, header = int.from_bytes(content[pos + 8 : pos + 16], "big"), 16
        elif size == 0:  # the last box runs to the end of the file
            size = end - pos
        if size < header or pos + size > end or not all(32 <= b < 127 for b in kind):
            return False
        seen.add(kind)
        pos += size
    return b"moov" in seen


# Boxes that hold a clip's metadata — where and when it was shot (`©xyz` location, `loci`), the device,
# the owner's name, XMP — and container boxes that may hold them. The media itself is elsewhere.
_VIDEO_META_BOXES = frozenset({b"udta", b"meta", b"uuid", b"loci", b"XMP_"})
_VIDEO_CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"edts", b"mvex", b"moof", b"traf"})


def video_clean(content: bytes) -> bytes:
    """The clip as stored: every metadata box (`_VIDEO_META_BOXES`, at the top level or inside the movie
    and track headers) turned into a `free` box of the same size filled with zeros. Nothing moves, so the
    sample offsets into `mdat` stay right and the clip plays as before, without its location, device or
    author. Expects a clip `video_is_whole` accepted."""
    out = bytearray(content)

    def walk(start: int, end: int) -> None:
        pos = start
        while pos + 8 <= end:
            size = int.from_bytes(out[pos : pos + 4], "big")
            kind = bytes(out[pos + 4 : pos + 8])
            header = 8
            if size == 1:
                if pos + 16 > end:
                    return
                size, header = int.from_bytes(out[pos + 8 : pos + 16], "big"), 16
            elif size == 0:
                size = end - pos
            if size < header or pos + size > end:
                return
            if kind in _VIDEO_META_BOXES:
                out[pos + 4 : pos + 8] = b"free"
                out[pos + header : pos + size] = bytes(size - header)
            elif kind in _VIDEO_CONTAINERS:
                walk(pos + header, pos + size)
            pos += size

    walk(0, len(out))
    return bytes(out)


def _video_max_bytes() -> int:
    return int(getattr(settings, "DOCKET_VIDEO_MAX_BYTES", 50 * 1024 * 1024))


def _size_mb(limit: int) -> str:
    return f"{limit / 1048576:.2f}".rstrip("0").rstrip(".")


def attachment_validate(upload) -> str:
    """Validate one upload (`UploadInput`); returns its content type. Images and PDF only, up to the
    configured size and pixel count, images whole, PDFs without active content."""
    if not upload.content:
        raise DomainError("attachment_empty", name=upload.name)
    limit = settings.DOCKET_ATTACHMENT_MAX_BYTES
    if video_sniff(upload.content) is not None:  # seed part 2: short clips have their own limit
        limit = max(limit, _video_max_bytes())
    if len(upload.content) > limit:
        raise DomainError(
            "attachment_size", name=upload.name, limit_mb=f"{limit / 1048576:.2f}".rstrip("0").rstrip(".")
        )
    content_type = sniff(upload.content)
    if content_type is None:
        raise DomainError("attachment_type", name=upload.name)
    if content_type == "application/pdf":
        if pdf_active_content(upload.content):
            raise DomainError("attachment_active_pdf", name=upload.name)
    elif content_type in VIDEO_TYPES:
        if len(upload.content) > _video_max_bytes():
            raise DomainError("attachment_size", name=upload.name, limit_mb=_size_mb(_video_max_bytes()))
        if not video_is_whole(upload.content):
            raise DomainError("attachment_broken", name=upload.name)
    else:
        _image_open(upload.name, upload.content, content_type).load()  # whole, or refused here
    return content_type


def _max_pixels() -> int:
    return int(getattr(settings, "DOCKET_ATTACHMENT_MAX_PIXELS", 40_000_000))


def _image_open(name: str, content: bytes, content_type: str) -> _Guarded:
    """The image with its size checked from the header (nothing decoded yet). Animated images count the
    pixels of every frame."""
    limit = _max_pixels()
    try:
        with warnings.catch_warnings():
            # Pillow's own guard warns above its limit and refuses above twice it; ours is stricter.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(content), formats=[PIL_FORMATS[content_type]])
            width, height = img.size
            frames = getattr(img, "n_frames", 1)
    except Image.DecompressionBombError as exc:
        raise DomainError("attachment_pixels", name=name, limit_mp=limit // 1_000_000) from exc
    except _IMAGE_ERRORS as exc:
        raise DomainError("attachment_broken", name=name) from exc
    if width * height * frames > limit:
        raise DomainError("attachment_pixels", name=name, limit_mp=limit // 1_000_000)
    return _Guarded(img, name)


class _Guarded:
    """An opened image whose decoding errors become `attachment_broken`."""

    def __init__(self, img: Image.Image, name: str) -> None:
        self.img, self.name = img, name

    def load(self) -> Image.Image:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                self.img.load()
                frames = getattr(self.img, "n_frames", 1)
                if frames > 1:
                    for frame in range(frames):
                        self.img.seek(frame)
                        self.img.load()
                    self.img.seek(0)
        except _IMAGE_ERRORS as exc:
            raise DomainError("attachment_broken", name=self.name) from exc
        return self.img


# PNG chunks that describe only the pixels (colour, transparency, density); anything else (tEXt, zTXt,
# iTXt, eXIf, tIME, private chunks) is metadata or unknown and makes the image re-encoded.
_PNG_PIXEL_CHUNKS = frozenset(
    {
        b"IHDR",
        b"PLTE",
        b"IDAT",
        b"IEND",
        b"tRNS",
        b"gAMA",
        b"cHRM",
        b"sRGB",
        b"iCCP",
        b"sBIT",
        b"bKGD",
        b"pHYs",
    }
)
# JPEG application segments that carry no personal data: JFIF (APP0), the ICC profile (APP2), Adobe (APP14).
_JPEG_PIXEL_SEGMENTS = frozenset({"APP0", "APP14"})


def _png_is_bare(content: bytes) -> bool:
    pos = 8
    while pos + 8 <= len(content):
        length = int.from_bytes(content[pos : pos + 4], "big")
        kind = content[pos + 4 : pos + 8]
        pos += 12 + length
        if kind not in _PNG_PIXEL_CHUNKS:
            return False
        if kind == b"IEND":
            return pos == len(content)  # nothing hidden after the end
    return False


def _is_bare(img: Image.Image, content: bytes, content_type: str) -> bool:
    """True when the file holds only pixels (no EXIF, GPS, XMP, comments, text, trailing bytes): then it
    is stored as uploaded, without the loss of a second JPEG compression. GIF and WEBP are always
    re-encoded (their extension blocks and chunks are not inspected here)."""
    if content_type == "image/png":
        return _png_is_bare(content)
    if content_type == "image/jpeg":
        segments = {
            marker
            for marker, data in getattr(img, "applist", [])
            if not (marker == "APP2" and data.startswith(b"ICC_PROFILE"))
        }
        return (
            segments <= _JPEG_PIXEL_SEGMENTS and "comment" not in img.info and content.endswith(b"\xff\xd9")
        )
    return False


def image_clean(name: str, content: bytes, content_type: str) -> bytes:
    """The image as stored: unchanged when it holds only pixels (`_is_bare`), else re-encoded in its own
    format with the orientation applied and every piece of metadata (EXIF with GPS, XMP, comments, text)
    dropped; colour profile and transparency kept."""
    opened = _image_open(name, content, content_type)
    if _is_bare(opened.img, content, content_type):  # from the headers: no second decode
        return content
    img = opened.load()
    fmt = PIL_FORMATS[content_type]
    keep = {k: img.info[k] for k in ("icc_profile", "transparency") if k in img.info}
    out = io.BytesIO()
    try:
        if getattr(img, "n_frames", 1) > 1:  # animated GIF/WEBP: frames as they are, no metadata
            img.info = {
                k: v for k, v in img.info.items() if k in ("duration", "loop", "transparency", "background")
            }
            img.save(out, format=fmt, save_all=True, exif=b"")
        else:
            img = ImageOps.exif_transpose(img)
            img.info = {k: v for k, v in keep.items()}
            kwargs: dict[str, Any] = {"exif": b""}
            if "icc_profile" in keep:
                kwargs["icc_profile"] = keep["icc_profile"]
            if fmt == "JPEG":
                if img.mode not in ("RGB", "L", "CMYK"):
                    img = img.convert("RGB")
                kwargs.update(quality=90)
            elif fmt == "WEBP":
                kwargs.update(quality=90)
            img.save(out, format=fmt, **kwargs)
    except _IMAGE_ERRORS as exc:
        raise DomainError("attachment_broken", name=name) from exc
    return out.getvalue()


# --- PDF active content ----------------------------------------------------------------------------------

ACTIVE_NAMES = frozenset(
    {b"JavaScript", b"JS", b"OpenAction", b"AA", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia"}
)
_NAME = re.compile(rb"/([^\s()<>\[\]{}/%]+)")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
# Decompressed object streams checked per PDF at most (a zip bomb stops here and is refused).
_OBJSTM_BUDGET = 64 * 1024 * 1024


def _active_name(data: bytes) -> str:
    for m in _NAME.finditer(data):
        name = _HEX.sub(lambda h: bytes([int(h[1], 16)]), m[1])
        if name in ACTIVE_NAMES:
            return name.decode()
    return ""


def pdf_active_content(content: bytes) -> str:
    """The first sign of active content in a PDF ("JavaScript", "OpenAction" …, "unreadable" for an object
    stream that cannot be checked), or "" when there is none. Stream data (images, page contents) is not
    searched, so random bytes in a photo never look like a name; object streams, where a PDF 1.5+ may
    keep its dictionaries compressed, are inflated and searched."""
    found = _active_name(_STREAM.sub(b"stream endstream", content))
    if found:
        return found
    budget = _OBJSTM_BUDGET
    for m in _STREAM.finditer(content):
        head = _HEX.sub(lambda h: bytes([int(h[1], 16)]), content[max(0, m.start() - 1024) : m.start()])
        head = head[head.rfind(b"obj") + 3 :] if b"obj" in head else head
        if b"/ObjStm" not in head:
            continue
        if b"/FlateDecode" not in head and b"/Fl" not in head:
            return "unreadable" if b"/Filter" in head else (_active_name(m[1]) or "")
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(m[1], budget)
        except zlib.error:
            return "unreadable"
        budget -= len(data)
        if budget <= 0 or inflater.unconsumed_tail:
            return "unreadable"
        found = _active_name(data)
        if found:
            return found
    return ""


# --- storing -------------------------------------------------------------------------------------------


def attachment_store(complaint: Complaint, upload, content_type: str, actor, when) -> Attachment:
    """Store a validated upload: images re-encoded (`image_clean`), clips without their metadata boxes
    (`video_clean`), the digest and size of what is stored, the file named from the digest and the detected type."""
    if content_type == "application/pdf":
        content = upload.content
    elif content_type in VIDEO_TYPES:
        content = video_clean(upload.content)
    else:
        content = image_clean(upload.name, upload.content, content_type)
    digest = hashlib.sha256(content).hexdigest()
    att = Attachment(
        complaint=complaint,
        company_id=complaint.company_id,
        original_name=upload.name[:200],
        content_type=content_type,
        size=len(content),
        sha256=digest,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        uploaded_at=when,
    )
    att.file.save(f"upload.{ATTACHMENT_EXTENSIONS[content_type]}", ContentFile(content), save=False)
    written = _written.get()
    if written is not None:  # portal filing: the caller removes these files if its transaction rolls back
        written.append(str(att.file.name))
    # If the transaction rolls back the file stays orphaned on storage, never referenced; that is
    # harmless and cheaper than two-phase file handling.
    att.save()
    return att


# --- portal filing (issue 11): no file left behind by a filing that failed ---
_written: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "attachments_written", default=None
)


@contextlib.contextmanager
def files_removed_on_failure() -> Iterator[None]:
    """Around a whole transaction that stores attachments: if it raises, the files stored inside it are
    deleted from storage (the rows rolled back; nothing refers to them), so a failed filing leaves no file
    on disk. Enter it outside the transaction."""
    written: list[str] = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for name in written:
            with contextlib.suppress(OSError):  # nothing else to do: the row is gone already
                default_storage.delete(name)
        raise
    finally:
        _written.reset(token)
