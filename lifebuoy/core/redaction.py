"""Secrets never reach a log line: a filter on the root handlers (``config/settings/base.py``
``LOGGING``) that rewrites each record before any handler formats it.

What it removes, wherever it appears in the message or the traceback:

- the value of an ``Authorization`` header (``Bearer …``, ``Basic …``), also as
  ``HTTP_AUTHORIZATION``;
- API and deployment tokens (``lb_…``, ``lbd_…``), by their prefix;
- the value after a key that names a secret: ``password``, ``secret``, ``token``, ``api_key``,
  ``sessionid``, ``csrftoken``, ``signature`` … as ``key=value``, ``key: value`` or a quoted
  dict/JSON entry (so a webhook's ``secret`` in a logged dict goes too);
- the single-use token in a survey link (``/surveys/<token>/``);
- the exact values of the secret settings (``SECRET_KEY``, mail and IMAP passwords, Slack,
  GitHub and Discourse tokens and secrets) when they are set.

The record is changed in place (message, arguments, traceback text), so handlers that run after
this one (a test's capture, an error tracker) see the redacted record too.
"""

from __future__ import annotations

import logging
import re
import traceback

REDACTED = "[redacted]"
SECRET_SETTINGS = (
    "SECRET_KEY",
    "EMAIL_HOST_PASSWORD",
    "LIFEBUOY_IMAP_PASSWORD",
    "LIFEBUOY_SLACK_BOT_TOKEN",
    "LIFEBUOY_SLACK_WEBHOOK_URL",
    "LIFEBUOY_GITHUB_TOKEN",
    "LIFEBUOY_GITHUB_WEBHOOK_SECRET",
    "LIFEBUOY_DISCOURSE_WEBHOOK_SECRET",
)
_KEYS = (
    r"authorization|password|passwd|pwd|secret|[a-z_]*_secret|token|[a-z_]*_token|api_?key"
    r"|session_?id|session_?key|sessionid|csrftoken|csrfmiddlewaretoken|cookie|signature"
    r"|x-lifebuoy-signature-256"
)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # 'Authorization': 'Bearer x', "HTTP_AUTHORIZATION": "x", password="x", {"secret": "x"}
    (
        re.compile(rf"""(?i)(["']?(?:http_)?(?:{_KEYS})["']?\s*[:=]\s*)(["'])(.*?)(\2)"""),
        rf"\1\2{REDACTED}\4",
    ),
    # Authorization: Bearer x   password=x   sessionid=x; (unquoted, to the end of the value)
    (
        re.compile(
            rf"""(?i)\b((?:http_)?(?:{_KEYS})\s*[:=]\s*)(?!["'\[])"""
            r"""((?:(?:Bearer|Basic|Token)\s+)?[^\s,;&'"}]+)"""
        ),
        rf"\1{REDACTED}",
    ),
    (re.compile(r"(?i)\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {REDACTED}"),
    (re.compile(r"\blbd?_[A-Za-z0-9_-]{8,}"), REDACTED),
    (re.compile(r"(/surveys/)[^/\s'\"?]+"), rf"\1{REDACTED}"),
]


def _configured_secrets() -> list[str]:
    from django.conf import settings

    if not settings.configured:
        return []
    values = (str(getattr(settings, name, "") or "") for name in SECRET_SETTINGS)
    return [value for value in values if len(value) >= 6]


def redact(text: str) -> str:
    """``text`` with every secret it carries replaced by ``[redacted]``."""
    for value in _configured_secrets():
        text = text.replace(value, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: leave it to the formatter
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
