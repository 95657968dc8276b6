"""The corpus of awkward mail: each one becomes a clean ticket, or is refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from lifebuoy.notifications.inbound.services import inbound_email_receive
from lifebuoy.notifications.models import InboundEmail
from lifebuoy.tickets.models import Ticket

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "mail"

CREATED, IGNORED, REJECTED = "created", "ignored", "rejected"

# file -> (outcome, text the ticket must contain, text it must not contain)
EXPECTED: dict[str, tuple[str, str, str]] = {
    "01_plain_new.eml": (CREATED, '"waiting for lock"', ""),
    "02_html_only_script.eml": (CREATED, "Consolidation takes 40 minutes", "alert"),
    "03_multipart_alternative.eml": (CREATED, "The plain part wins.", "loses"),
    "04_latin1_8bit.eml": (CREATED, "Grüße aus München", "\ufffd"),
    "05_unknown_charset.eml": (CREATED, "Qapla’ — the agent is slow.", ""),
    "06_wrong_charset_declared.eml": (CREATED, "the validator is asleep", ""),
    "07_encoded_subject_rfc2047.eml": (CREATED, "Encoded subject.", ""),
    "08_broken_encoded_word.eml": (CREATED, "Broken encoded words", ""),
    "09_no_message_id.eml": (CREATED, "no Message-ID header", ""),
    "10_auto_submitted.eml": (IGNORED, "Auto-Submitted: auto-replied", ""),
    "11_precedence_bulk.eml": (IGNORED, "Precedence: bulk", ""),
    "12_bounce_dsn.eml": (IGNORED, "bounce", ""),
    "13_list_id.eml": (IGNORED, "mailing-list", ""),
    "14_x_autoreply.eml": (IGNORED, "X-Autoreply", ""),
    "15_from_ourselves.eml": (IGNORED, "loop", ""),
    "16_no_from.eml": (REJECTED, "no usable sender", ""),
    "17_garbage_from.eml": (REJECTED, "no usable sender", ""),
    "18_base64_attachment.eml": (CREATED, "The log is attached.", ""),
    "19_oversize_attachment.eml": (CREATED, "“core.dump” (3,000 bytes) was over", ""),
    "20_rfc2231_filename.eml": (CREATED, "résumé of the incident", ""),
    "21_path_traversal_filename.eml": (CREATED, "path in its name", ""),
    "22_nested_related.eml": (CREATED, "Screenshot below.", ""),
    "23_unclosed_boundary.eml": (CREATED, "closing boundary is missing", ""),
    "24_missing_boundary_param.eml": (CREATED, "no boundary parameter", ""),
    "25_huge_headers.eml": (CREATED, "Very long headers.", ""),
    "26_null_bytes.eml": (CREATED, "beforeafter", "\x00"),
    "27_quoted_printable.eml": (CREATED, "even the ones that pass locally", "=E2"),
    "28_empty_body.eml": (CREATED, "(The message had no text.)", ""),
    "29_utf8_display_name.eml": (CREATED, "as SMTPUTF8 clients send it", ""),
    "30_crlf.eml": (CREATED, "Lines end in CR LF.\nSecond line.", "\r"),
    "31_tnef_winmail.eml": (CREATED, "Sent from Outlook", ""),
    "32_forwarded_rfc822.eml": (CREATED, "Forwarding the alert", ""),
    "33_javascript_link.eml": (CREATED, "here for the logs", "javascript:"),
    "34_unknown_sender.eml": (CREATED, "C3 never starts", ""),
    "35_auto_submitted_uppercase.eml": (IGNORED, "auto-generated", ""),
    "36_auto_submitted_no.eml": (CREATED, "a person wrote this", ""),
    "37_x_failed_recipients.eml": (IGNORED, "delivery status report", ""),
    "38_staff_new_mail.eml": (REJECTED, "staff address matched no ticket", ""),
    "39_deep_nesting.eml": (CREATED, "", ""),
    "40_binary_garbage.eml": (REJECTED, "no usable sender", ""),
    "41_precedence_list_return_path_null.eml": (IGNORED, "Return-Path <>", ""),
    "42_html_entities_and_tables.eml": (CREATED, "Agent Status\nC2 <stalled>", ""),
}


def test_the_corpus_is_large_and_fully_described():
    files = sorted(p.name for p in FIXTURES.glob("*.eml"))
    assert len(files) >= 30
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
@override_settings(LIFEBUOY_MAX_ATTACHMENT_BYTES=2048)
def test_each_awkward_message_becomes_a_clean_ticket_or_a_logged_refusal(name, alice, bob, now):
    raw = (FIXTURES / name).read_bytes()
    outcome, must, must_not = EXPECTED[name]
    result = inbound_email_receive(raw=raw, envelope_from="sender@example.net", now=now)
    stored = InboundEmail.objects.get()
    assert bytes(stored.raw) == raw  # accepted means kept, byte for byte
    assert (result.status, stored.status) == (outcome, outcome), stored.reason
    if outcome != CREATED:
        assert must.lower() in stored.reason.lower()
        assert not Ticket.objects.exists()
        assert result.smtp_reply().startswith("550" if outcome == REJECTED else "250")
        return
    ticket = Ticket.objects.get()
    assert ticket.channel == "email"
    assert stored.ticket == ticket
    assert 0 < len(ticket.subject) <= 200
    assert must in ticket.description
    if must_not:
        assert must_not not in ticket.description
        assert must_not not in ticket.description_html
    assert "<script" not in ticket.description_html
    assert "onerror" not in ticket.description_html
    # A second copy of the same message is ignored.
    again = inbound_email_receive(raw=raw, envelope_from="sender@example.net", now=now)
    assert again.status == "duplicate"
    assert Ticket.objects.count() == 1


@override_settings(LIFEBUOY_MAX_ATTACHMENT_BYTES=2048)
def test_attachments_keep_safe_names_and_oversize_parts_are_dropped_with_a_note(alice, now):
    for name in (
        "18_base64_attachment.eml",
        "19_oversize_attachment.eml",
        "20_rfc2231_filename.eml",
        "21_path_traversal_filename.eml",
    ):
        inbound_email_receive(raw=(FIXTURES / name).read_bytes(), envelope_from="a@b.c", now=now)
    names = {
        t.subject: sorted(a.filename for m in t.messages.all() for a in m.attachments.all())
        for t in Ticket.objects.all()
    }
    assert names["Log attached"] == ["c2.log"]
    assert names["Big dump attached"] == ["note.txt"]
    assert names["Accented file name"] == ["résumé.txt"]
    assert names["Sneaky file name"] == ["_.._etc_passwd"]


def test_decoded_subjects_and_names(alice, now):
    inbound_email_receive(
        raw=(FIXTURES / "07_encoded_subject_rfc2047.eml").read_bytes(), envelope_from="", now=now
    )
    assert not Ticket.objects.exists()  # a null envelope sender is a bounce
    InboundEmail.objects.all().delete()
    inbound_email_receive(
        raw=(FIXTURES / "07_encoded_subject_rfc2047.eml").read_bytes(),
        envelope_from="alice@acme.example",
        now=now,
    )
    assert Ticket.objects.get().subject == "Überwachung fällt aus – bitte prüfen"


def test_unknown_senders_join_the_community_bucket_or_are_rejected(now, db):
    raw = (FIXTURES / "34_unknown_sender.eml").read_bytes()
    with override_settings(LIFEBUOY_INBOUND_UNKNOWN_SENDERS="reject"):
        assert inbound_email_receive(raw=raw, envelope_from="x@y.z", now=now).status == REJECTED
    InboundEmail.objects.all().delete()
    assert inbound_email_receive(raw=raw, envelope_from="x@y.z", now=now).status == CREATED
    ticket = Ticket.objects.get()
    assert ticket.organization.slug == "community"
    assert ticket.requester.email == "newcomer@elsewhere.example"
    assert ticket.requester.full_name == "New Person"
    assert not ticket.requester.has_usable_password()
