"""PDF documents carry real Chinese glyphs and fetch nothing from the network."""

from __future__ import annotations

import ctypes
import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from django.template import engines

from docket.core import pdf
from docket.core.errors import DomainError


def _render(body: str) -> bytes:
    """`body` inside the documents' base template (A4, the CJK font, page numbers)."""
    template = engines["django"].from_string(
        '{% extends "pdf/base.html" %}{% block body %}' + body + "{% endblock %}"
    )
    return pdf.html_to_pdf(template.render({}))


def png_ink(pdf_bytes: bytes) -> tuple[str, int]:
    """The first page's text and the number of dark pixels when rendered to an image."""
    doc = pdfium.PdfDocument(io.BytesIO(pdf_bytes))
    page = doc[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=1).to_pil().convert("L")
    dark = sum(1 for v in image.tobytes() if v < 128)
    return text, dark


def font_of_first_char(pdf_bytes: bytes) -> str:
    """The name of the font the first character on the first page is set in."""
    textpage = pdfium.PdfDocument(io.BytesIO(pdf_bytes))[0].get_textpage()
    buf = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    pdfium_raw.FPDFText_GetFontInfo(textpage.raw, 0, buf, 256, ctypes.byref(flags))
    return buf.value.decode()


def test_chinese_text_is_set_in_the_cjk_font():
    assert pdf.fonts_ready(), "fonts-noto-cjk is installed by scripts/ensure_tools.sh"
    data = _render("<h1>投诉受理回执</h1><p>小区：朝阳园</p>")
    assert data.startswith(b"%PDF")
    # the CJK font is embedded, not a fallback without Chinese glyphs
    assert "Noto-Sans-CJK-SC" in font_of_first_char(data)
    text, dark = png_ink(data)
    assert "投诉受理回执" in text and "朝阳园" in text
    assert dark > 200  # glyphs were drawn


def test_blank_text_draws_less_than_chinese_text():
    # The ink comes from the glyphs: an empty body draws only the page number.
    _, blank = png_ink(_render(""))
    _, full = png_ink(_render("<h1>" + "投诉处理" * 20 + "</h1>"))
    assert full > blank * 3


def test_remote_images_are_not_fetched(caplog):
    data = _render('<p>正文</p><img src="http://127.0.0.1:9/x.png">')
    assert data.startswith(b"%PDF")
    assert "refused to fetch http://127.0.0.1:9/x.png" in caplog.text


def test_missing_font_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(pdf, "fonts_ready", lambda: False)
    with pytest.raises(DomainError) as e:
        pdf.render_pdf("pdf/base.html", {})
    assert e.value.code == "pdf_font_missing"
