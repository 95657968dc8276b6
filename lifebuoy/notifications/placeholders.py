"""Named placeholders in message templates: ``{customer_name}``. ``{{`` and ``}}`` are braces.

Only plain names are allowed: no attribute access, indexing, conversions or format specs, so
a template can never reach into an object, and a typo is an error when the template is saved
rather than a blank in a customer's inbox.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

# Name -> what an agent or lead sees as its meaning.
PLACEHOLDERS: dict[str, str] = {
    "customer_name": "The requester's name",
    "ticket_number": "The ticket number, e.g. #12345",
    "ticket_token": "The subject token, e.g. [Ticket #12345]",
    "summary": "The ticket's subject",
    "organization": "The customer's organization",
    "priority": "The ticket's priority, e.g. P2",
    "agent_name": "The agent writing the reply",
    "ticket_url": "Where the customer can follow the ticket",
    "response_window": "When the customer hears from us next",
    "first_step": "The first troubleshooting step",
    "second_step": "The second troubleshooting step",
    "diagnosis": "What we have found so far",
    "next_steps": "What happens next",
    "timeline": "When to expect a resolution",
    "root_cause": "What was wrong",
    "solution": "What we did",
    "prevention": "How to prevent it",
    "escalation_team": "Who the ticket is escalated to",
    "escalation_reason": "Why it is escalated",
    "workaround": "A workaround while the customer waits",
    "referral": "Who handles an out-of-scope request instead",
}

_formatter = string.Formatter()


class PlaceholderError(ValueError):
    """The text uses a placeholder that does not exist, or an unsupported form of one."""


def placeholders_in(text: str) -> list[str]:
    """The placeholder names ``text`` uses, in order of first use. Raises PlaceholderError."""
    names: list[str] = []
    try:
        parsed = list(_formatter.parse(text))
    except ValueError as exc:
        raise PlaceholderError(
            f"{exc}. Write {{{{ and }}}} for a literal brace; placeholders look like "
            "{customer_name}."
        ) from exc
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise PlaceholderError(
                f"“{{{name}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}}” is not a placeholder; use a plain name "
                "such as {customer_name}."
            )
        if name not in PLACEHOLDERS:
            raise PlaceholderError(
                f"Unknown placeholder {{{name}}}. Known placeholders: "
                f"{', '.join(sorted(PLACEHOLDERS))}."
            )
        if name not in names:
            names.append(name)
    return names


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace each placeholder; one without a value stays visible as ``[name]`` to fill in."""
    placeholders_in(text)
    parts: list[str] = []
    for literal, name, _spec, _conversion in _formatter.parse(text):
        parts.append(literal)
        if name is not None:
            value = values.get(name, "")
            parts.append(value if value.strip() else f"[{name.replace('_', ' ')}]")
    return "".join(parts)


_UNFILLED = re.compile(r"\[([a-z_]+)\]")


def unfilled_placeholders(text: str) -> list[str]:
    """The ``[name]`` marks a filled template left for the agent (known placeholder names
    only, so a log line's ``[INFO]`` or a link's ``[text]`` is not one), in order."""
    found: list[str] = []
    for name in _UNFILLED.findall(text):
        if name in PLACEHOLDERS and name not in found:
            found.append(name)
    return found
