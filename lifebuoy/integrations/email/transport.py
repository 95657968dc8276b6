"""Email through Django's configured backend (SMTP in production).

The Message-ID comes from the delivery, chosen before the first attempt, so a retry after an
unknown outcome sends the very same message and mail clients collapse the copies.

The SMTP connection is opened here rather than by ``message.send()``, so it stays open after the
server's 250 to DATA: the outbox records the delivery as sent (``outgoing.accepted``) before the
QUIT, whose reply (or its failure, or its timeout) no longer stands between the accept and the
record, and can no longer turn an accepted message into a failure that is sent again.
"""

from __future__ import annotations

import base64
import contextlib
import smtplib
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from lifebuoy.notifications.transports import Outgoing, TransportError
from lifebuoy.tickets.models import Attachment

# Refusals that will not change on a retry: the mailbox does not exist, or is not ours to use.
_PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)


def _attach_files(message: EmailMultiAlternatives, attachment_ids: list[int]) -> None:
    """Attach an agent's files, up to LIFEBUOY_EMAIL_ATTACHMENTS_MAX_BYTES in all; the rest
    stay on the ticket, which the footer links to."""
    if not attachment_ids:
        return
    budget: int = settings.LIFEBUOY_EMAIL_ATTACHMENTS_MAX_BYTES
    for attachment in Attachment.objects.filter(id__in=attachment_ids).order_by("id"):
        if attachment.size > budget:
            continue
        with attachment.file.open("rb") as handle:
            message.attach(attachment.filename, handle.read(), attachment.content_type)
        budget -= attachment.size


def _attach_inline_images(message: EmailMultiAlternatives, images: list[dict[str, str]]) -> None:
    """Images the HTML part shows with ``<img src="cid:…">`` (``data:`` images are blocked by
    many clients). Each is ``{"cid", "filename", "content_type", "data"}``, ``data`` in base64.
    The message becomes multipart/related around the text and HTML alternatives."""
    if not images:
        return
    message.mixed_subtype = "related"
    for image in images:
        subtype = image["content_type"].rpartition("/")[2] or "png"
        part = MIMEImage(base64.b64decode(image["data"]), _subtype=subtype)
        part["Content-ID"] = f"<{image['cid']}>"
        part.add_header("Content-Disposition", "inline", filename=image["filename"])
        message.attach(part)


def _close_quietly(connection: BaseEmailBackend) -> None:
    """QUIT and close. The message was accepted or refused already: nothing here changes that."""
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.close()


class EmailTransport:
    def send(self, outgoing: Outgoing) -> None:
        payload = outgoing.payload
        headers = {"Message-ID": outgoing.message_id, **outgoing.headers}
        connection = get_connection(timeout=settings.LIFEBUOY_SMTP_TIMEOUT)
        message = EmailMultiAlternatives(
            subject=payload["subject"],
            body=payload["text"],
            from_email=settings.LIFEBUOY_SUPPORT_FROM,
            to=[outgoing.target],
            reply_to=[settings.LIFEBUOY_SUPPORT_EMAIL],
            headers=headers,
            connection=connection,
        )
        if payload.get("html"):
            message.attach_alternative(payload["html"], "text/html")
        _attach_inline_images(message, payload.get("inline_images", []))
        _attach_files(message, payload.get("attachments", []))
        try:
            connection.open()  # opened here, so sending leaves it open: no QUIT before the record
            message.send()
        except _PERMANENT as exc:
            _close_quietly(connection)
            raise TransportError(f"refused: {exc}", retryable=False) from exc
        except smtplib.SMTPResponseException as exc:
            _close_quietly(connection)
            permanent = 500 <= exc.smtp_code < 600  # SMTP reply classes
            raise TransportError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", retryable=not permanent
            ) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            _close_quietly(connection)
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        try:
            outgoing.accepted()  # the server said 250: recorded before anything else happens
        finally:
            _close_quietly(connection)
