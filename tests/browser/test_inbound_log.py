"""A lead reads why mail was refused, downloads it, and sees an unverified staff mail marked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone

from lifebuoy.notifications.inbound.services import inbound_email_receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"
SHOTS = os.environ.get("LIFEBUOY_SCREENSHOTS", "")


def _shoot(page, name: str) -> None:
    """Screenshots at desktop and phone widths, when LIFEBUOY_SCREENSHOTS names a folder."""
    if not SHOTS:
        return
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)


def _receive(raw: bytes) -> None:
    inbound_email_receive(raw=raw, envelope_from="mx@evil.example", now=timezone.now())


def test_a_lead_reads_the_inbound_log_and_the_ticket_marks_unverified_staff_mail(
    chromium, live_server, alice, bob, lena
):
    _receive(
        b"From: Alice <alice@acme.example>\r\nSubject: C2 stopped\r\n"
        b"Message-ID: <t1@acme.example>\r\n\r\nC2 has not pushed since lunch."
    )
    _receive(
        b"From: =?utf-8?q?alice=40acme=2Eexample?= <attacker@evil.example>\r\n"
        b"Subject: Please close my ticket\r\nMessage-ID: <s1@evil.example>\r\n\r\nclose it"
    )
    _receive(
        b"From: Bob <bob@lifebuoy.test>\r\nSubject: Re: C2 stopped\r\n"
        b"In-Reply-To: <t1@acme.example>\r\nMessage-ID: <b1@evil.example>\r\n\r\n"
        b"Fixed, closing. Click http://evil.example/login to confirm."
    )
    page = chromium.new_context(accept_downloads=True).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", lena.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> summary:has-text('Settings')")
    page.click("nav >> text=Inbound mail")
    page.select_option("select[name=kind]", "rejected")
    page.click("button:has-text('Show')")
    row = page.locator("table.queue tbody tr")
    assert row.count() == 1
    assert "address syntax is hidden in an encoded-word" in row.inner_text()
    assert "Please close my ticket" in row.inner_text()
    with page.expect_download() as download:
        row.locator("a:has-text('.eml')").click()
    assert Path(download.value.path()).read_bytes().startswith(b"From: =?utf-8?q?alice")
    _shoot(page, "inbound-log")

    page.select_option("select[name=kind]", "unverified")
    page.click("button:has-text('Show')")
    page.click("table.queue tbody tr >> a:has-text('#')")
    note = page.locator("li.message.internal")
    assert "Unverified sender" in note.inner_text()
    assert "Unverified mail from a staff address" in note.inner_text()
    assert page.locator("li.message:not(.internal):not(.original)").count() == 0
    _shoot(page, "ticket-unverified-note")
