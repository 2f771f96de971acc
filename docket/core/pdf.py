"""PDF documents (receipts, reports, archive printouts) rendered from Django templates with WeasyPrint.

One place decides how a PDF is made, so every document gets the same Chinese font, page and safety
rules:

- Glyphs: Chinese text is set in Noto Sans CJK SC (Debian's `fonts-noto-cjk`, installed by
  `scripts/ensure_tools.sh`); `fonts_ready()` says whether fontconfig has it, and `render_pdf` refuses
  with a DomainError rather than print empty boxes (tofu) when it is missing.
- No network: the URL fetcher answers only `data:` URLs and files under the project's static
  directory; anything else (an http URL typed into a complaint and rendered as an <img>, a file://
  path) is refused, so a document can never make the server fetch something.
- Templates extend `pdf/base.html` (A4, margins, page numbers, the font) and use only inline or
  static CSS.
"""

from __future__ import annotations

import functools
import logging
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from docket.core.errors import DomainError

log = logging.getLogger(__name__)

FONT_FAMILY = "Noto Sans CJK SC"


@functools.cache
def fonts_ready() -> bool:
    """Whether fontconfig knows the CJK font the documents are set in."""
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return FONT_FAMILY in out


def _static_roots() -> list[Path]:
    roots = [Path(p) for p in getattr(settings, "STATICFILES_DIRS", [])]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT))
    return [r.resolve() for r in roots]


@functools.cache
def _fetcher() -> Any:
    """A WeasyPrint URL fetcher that answers `data:` URLs and files under the static directories only."""
    from weasyprint.urls import URLFetcher

    class StaticOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file://"):
                path = Path(url[len("file://") :].split("?")[0]).resolve()
                if not any(path.is_relative_to(root) for root in _static_roots()) or not path.is_file():
                    log.warning("pdf: refused to fetch %s", url[:200])
                    raise ValueError("documents fetch nothing outside the static files")
            elif not url.startswith("data:"):
                log.warning("pdf: refused to fetch %s", url[:200])
                raise ValueError("documents fetch nothing outside the static files")
            return super().fetch(url, headers)

    return StaticOnly(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=5)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The template rendered to PDF bytes."""
    return html_to_pdf(render_to_string(template, context))


def html_to_pdf(html: str) -> bytes:
    """A complete HTML document (normally from a template extending pdf/base.html) as PDF bytes."""
    if not fonts_ready():
        raise DomainError("pdf_font_missing", detail="服务器缺少中文字体（fonts-noto-cjk）")
    from weasyprint import HTML

    static = _static_roots()
    base_url = static[0].as_uri() + "/" if static else None
    return HTML(string=html, base_url=base_url, url_fetcher=_fetcher()).write_pdf()


def pdf_response(
    template: str, context: dict[str, Any], filename: str, *, inline: bool = True
) -> HttpResponse:
    """An HTTP answer carrying the rendered PDF (shown in the browser unless `inline` is False)."""
    from urllib.parse import quote

    body = render_pdf(template, context)
    response = HttpResponse(body, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
