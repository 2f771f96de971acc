"""Real, tiny test images made with Pillow. Attachments are decoded and checked (services/attachments), so
a file signature followed by zeros is refused as broken; these are the smallest honest stand-ins. They carry
no metadata, so they are stored exactly as uploaded."""

from __future__ import annotations

import io


def image_bytes(fmt: str, size: tuple[int, int] = (8, 6), color=(200, 60, 40), **save) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt, **save)
    return buf.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
