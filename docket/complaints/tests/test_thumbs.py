"""Attachment thumbnails (issue 14): made once, cached under MEDIA_ROOT/thumbs, served only to who may
see the complaint."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from docket.accounts.models import Role
from docket.complaints import scopes, thumbs
from docket.complaints.services import UploadInput, attachment_add
from docket.complaints.tests.helpers import user_for
from docket.complaints.tests.test_attachments import CATALOG, PAGES, _pdf
from docket.core.testing.images import image_bytes

ALL_ROLES = list(Role)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _add(org, c, name, content):
    return attachment_add(
        actor=org.a.users["reception"], complaint_id=c.id, upload=UploadInput(name, content)
    )


def _url(c, a):
    return reverse("complaints:attachment_thumb", args=[c.id, a.id])


def test_thumbnail_made_once_and_small(client, org, complaint_factory):
    c = complaint_factory()
    a = _add(org, c, "现场.jpg", image_bytes("JPEG", size=(1600, 1200)))
    client.force_login(org.users["qm"])
    r = client.get(_url(c, a))
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    im = Image.open(io.BytesIO(b"".join(r.streaming_content)))
    assert max(im.size) == thumbs.SIZE and im.size == (240, 180)
    path = thumbs.thumb_path(a)
    assert path.exists() and "thumbs" in path.parts
    mtime = path.stat().st_mtime_ns
    assert client.get(_url(c, a)).status_code == 200
    assert path.stat().st_mtime_ns == mtime  # served from the cache, not made again


def test_transparent_png_and_page_shows_thumbnails(client, org, complaint_factory):
    c = complaint_factory()
    png = _add(org, c, "示意.png", image_bytes("PNG", size=(300, 100), color=(0, 0, 0, 0)))
    client.force_login(org.users["qm"])
    assert client.get(_url(c, png)).status_code == 200
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert _url(c, png) in html and 'alt="示意.png"' in html
    pdf = _add(org, c, "信.pdf", _pdf(CATALOG, PAGES))
    assert pdf.content_type == "application/pdf"
    assert client.get(_url(c, pdf)).status_code == 404  # not a photo: no thumbnail
    assert _url(c, pdf) not in client.get(reverse("complaints:detail", args=[c.id])).content.decode()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_thumbnail_permission_per_role(client, org, complaint_factory, role):
    c = complaint_factory()
    a = _add(org, c, "现场.png", image_bytes("PNG", size=(50, 40)))
    user = user_for(org, role)
    client.force_login(user)
    r = client.get(_url(c, a))
    assert r.status_code == (200 if scopes.can_see(user, c) else 404)


def test_other_company_and_wrong_complaint_not_found(client, org, complaint_factory):
    c = complaint_factory()
    other = complaint_factory(subject="另一件")
    a = _add(org, c, "现场.png", image_bytes("PNG", size=(50, 40)))
    client.force_login(org.other_company_qm)
    assert client.get(_url(c, a)).status_code == 404
    client.force_login(org.users["qm"])
    # the attachment id under another complaint's address: not found
    assert client.get(reverse("complaints:attachment_thumb", args=[other.id, a.id])).status_code == 404
    client.logout()
    assert client.get(_url(c, a)).status_code == 302
    assert not thumbs.thumb_path(a).exists()  # nothing made for refused requests
