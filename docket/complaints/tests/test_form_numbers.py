"""Controlled-form numbers (issue 15, seed3): the 处理表 printout, the archive PDF, the K01-F2 page and the
report documents print the company's configured number (`Company.form_numbers`), else the seed's."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from docket.archive import services as archive
from docket.reports import documents
from docket.reports.models import ReportDuty
from docket.reports.services import report_duties_open

pytestmark = pytest.mark.django_db


def _configure(org, **numbers):
    org.company.form_numbers = numbers
    org.company.save(update_fields=["form_numbers"])


def test_record_form_prints_the_seed_number_by_default(client, org, complaint_factory):
    c = complaint_factory()
    client.force_login(org.a.users["office_manager"])
    html = client.get(reverse("complaints:record_form", args=[c.id])).content.decode()
    assert "表格编号" in html and "TJ**WY8.3-K01-F1" in html


def test_record_form_prints_the_configured_number(client, org, complaint_factory):
    _configure(org, record_form="TJYH-WY8.3-K01-F1")
    c = complaint_factory()
    client.force_login(org.a.users["office_manager"])
    html = client.get(reverse("complaints:record_form", args=[c.id])).content.decode()
    assert "TJYH-WY8.3-K01-F1" in html and "TJ**WY8.3-K01-F1" not in html


def test_archive_pdf_uses_the_configured_number(org, complaint_factory, monkeypatch):
    seen = {}

    def fake_render(template, context):
        seen.update(context)
        return b"%PDF"

    monkeypatch.setattr("docket.core.pdf.render_pdf", fake_render)
    c = complaint_factory()
    archive.archive_pdf(archive.archive_of(c.id), org.a.users["office_manager"])
    assert seen["form_no"] == "TJ**WY8.3-K01-F1"
    _configure(org, record_form="TJYH-WY8.3-K01-F1")
    archive.archive_pdf(archive.archive_of(c.id), org.a.users["office_manager"])
    assert seen["form_no"] == "TJYH-WY8.3-K01-F1"


def test_k01f2_page_and_report_document_use_the_configured_number(client, org):
    client.force_login(org.users["qm"])
    html = client.get(reverse("reports:k01f2")).content.decode()
    assert "TJ**WY8.3-K01-F2" in html
    _configure(org, statistics="TJYH-WY8.3-K01-F2")
    html = client.get(reverse("reports:k01f2")).content.decode()
    assert "TJYH-WY8.3-K01-F2" in html and "TJ**WY8.3-K01-F2" not in html
    report_duties_open(today=date(2026, 12, 1))
    duty = ReportDuty.objects.filter(company=org.company).first()
    assert duty is not None
    assert documents.document_context(duty, {})["form_no"] == "TJYH-WY8.3-K01-F2"
