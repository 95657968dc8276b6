"""Email through Django's configured backend (SMTP in production).

The Message-ID comes from the delivery, chosen before the first attempt, so a retry after an
unknown outcome sends the very same message and mail clients collapse the copies.
"""

from __future__ import annotations

import base64
import smtplib
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

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


class EmailTransport:
    def send(self, outgoing: Outgoing) -> None:
        payload = outgoing.payload
        headers = {"Message-ID": outgoing.message_id, **outgoing.headers}
        message = EmailMultiAlternatives(
            subject=payload["subject"],
            body=payload["text"],
            from_email=settings.LIFEBUOY_SUPPORT_FROM,
            to=[outgoing.target],
            reply_to=[settings.LIFEBUOY_SUPPORT_EMAIL],
            headers=headers,
            connection=get_connection(timeout=settings.LIFEBUOY_SMTP_TIMEOUT),
        )
        if payload.get("html"):
            message.attach_alternative(payload["html"], "text/html")
        _attach_inline_images(message, payload.get("inline_images", []))
        _attach_files(message, payload.get("attachments", []))
        try:
            message.send()
        except _PERMANENT as exc:
            raise TransportError(f"refused: {exc}", retryable=False) from exc
        except smtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.smtp_code < 600  # SMTP reply classes
            raise TransportError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", retryable=not permanent
            ) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
