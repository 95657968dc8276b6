"""API input shapes that depend on who sends them."""

from __future__ import annotations

from typing import ClassVar

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import ValidationFailed
from lifebuoy.core.schemas import PlainIn

STAFF_ONLY_MESSAGE = "Only support staff can set this field."


class StaffOnlyFieldsIn(PlainIn):
    """An input whose ``STAFF_ONLY`` fields a customer may not send at all.

    Sending one, even with its default value, is a 422 naming each such field: a field that
    was quietly ignored would let a client believe it took effect.
    """

    STAFF_ONLY: ClassVar[frozenset[str]] = frozenset()

    def check_staff_only(self, user: User) -> None:
        sent = sorted(self.STAFF_ONLY & self.model_fields_set)
        if sent and not user.is_support_staff:
            raise ValidationFailed.for_fields(dict.fromkeys(sent, STAFF_ONLY_MESSAGE))
