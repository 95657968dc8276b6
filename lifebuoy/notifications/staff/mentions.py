"""@mentions in internal notes: what counts as one, and whom it names.

The rules (the ticket page's help text says the same):
- ``@`` starts a mention only at the start of the text or after a character that is not a
  letter, digit or ``@``, so an address like ``ops@bob.example`` mentions nobody;
- ``@handle`` names the active member of staff whose email address starts with ``handle@``, or
  whose whole name is ``handle`` (letters, digits, ``.``, ``_`` and ``-``; a trailing ``.`` or
  ``-`` is punctuation, not part of the handle);
- ``@"Full Name"`` names the active member of staff with that whole name (or handle);
- matching ignores case and repeated spaces; customers and inactive accounts are never named.
Only internal notes mention anyone: a public reply is read by the customer, and an ``@`` there
notifies nobody.
"""

from __future__ import annotations

import re

from django.db.models import Q

from lifebuoy.accounts.models import Role, User

MENTION = re.compile(r'(?<![\w@])@(?:"([^"\n]{1,100})"|(\w[\w.\-]*))')
MAX_MENTIONS = 20


def mention_names(body: str) -> list[str]:
    """The names and handles ``body`` mentions, lower-cased, each once, in order."""
    found: dict[str, None] = {}
    for quoted, handle in MENTION.findall(body):
        name = " ".join(quoted.split()) if quoted else handle.rstrip(".-")
        if name:
            found[name.lower()] = None
    return list(found)[:MAX_MENTIONS]


def mentioned_staff(body: str) -> list[User]:
    """The active members of staff ``body`` mentions, in one query."""
    names = mention_names(body)
    if not names:
        return []
    match = Q()
    for name in names:
        match |= Q(full_name__iexact=name)
        if " " not in name:
            match |= Q(email__istartswith=f"{name}@")
    people = User.objects.filter(match, is_active=True).exclude(role=Role.CUSTOMER)
    return list(people.order_by("id"))
