"""Attachment thumbnails (issue 14): a small JPEG of an attached photo, made once with Pillow and kept
on disk under MEDIA_ROOT/thumbs, named by the photo's SHA-256 (so the same photo attached twice shares
one thumbnail, and a thumbnail can never show another file). Served only through the permission-checked
view (views/thumbs.py), never from /media/.

The photo was checked at upload (type from its bytes, pixel limit: services/attachments.py); a file that
Pillow still cannot read gets no thumbnail (the page keeps the plain link).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageOps

SIZE = 240  # px, the longer side
QUALITY = 80
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def is_image(att) -> bool:
    return att.content_type in IMAGE_TYPES


def thumb_path(att) -> Path:
    sha = att.sha256 or f"att{att.pk}"
    return Path(settings.MEDIA_ROOT) / "thumbs" / sha[:2] / f"{sha}-{SIZE}.jpg"


def thumbnail_for(att, handle) -> Path | None:
    """The thumbnail's path, made now from the open file `handle` if it is not on disk yet; None when the
    attachment is not a photo or cannot be read."""
    if not is_image(att):
        return None
    path = thumb_path(att)
    if path.exists():
        return path
    try:
        with Image.open(handle) as src:
            src.draft("RGB", (SIZE * 2, SIZE * 2))  # JPEG: decode at a reduced scale, much cheaper
            im: Image.Image = ImageOps.exif_transpose(src)
            im.thumbnail((SIZE, SIZE))
            if im.mode not in ("RGB", "L"):
                im = _flatten(im)
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written beside and renamed: two requests at once never serve a half-written file.
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    im.save(out, "JPEG", quality=QUALITY, optimize=True)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return path


def _flatten(im: Image.Image) -> Image.Image:
    """Transparent PNG/GIF/WebP on white (JPEG has no alpha)."""
    im = im.convert("RGBA")
    bg = Image.new("RGB", im.size, (255, 255, 255))
    bg.paste(im, mask=im.getchannel("A"))
    return bg
