from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema


class DashboardQuery(Schema):
    """The dashboard page's filters, as query parameters. Types are checked here; the rules
    between them (``custom`` needs both days, at most a year) are the page form's."""

    period: Literal["today", "7d", "30d", "quarter", "custom"] | None = Field(
        None, description="A preset period (default today); start and end alone mean custom."
    )
    start: date | None = Field(None, description="First day of a custom period, YYYY-MM-DD.")
    end: date | None = Field(None, description="Last day of a custom period, included.")
    tier: int | None = Field(None, ge=1, le=4, description="Support tier 1–4; default all.")
    organization: int | None = Field(None, ge=1, description="An organization id; default all.")

    def form_data(self) -> dict[str, str]:
        """The values as the page's filter form reads them from a query string."""
        return {
            name: value.isoformat() if isinstance(value, date) else str(value)
            for name, value in self.model_dump().items()
            if value is not None
        }
