"""The support metrics of docs/metrics.md, computed for a period with aggregation in SQL.

Every selector runs a fixed number of queries, whatever the number of tickets: counts and
averages are grouped in the database, and Python only shapes the few grouped rows. One module per
family of metrics; everything is importable from here.
"""

from .common import (
    CSAT_TARGET,
    ESCALATION_TARGET,
    FCR_TARGET,
    NPS_TARGET,
    REOPEN_TARGET,
    RESOLUTION_TARGET_HOURS,
    SLA_ATTAINMENT_TARGET,
    Metric,
)
from .quality import (
    average_handle_time,
    first_contact_resolution,
    kb_deflection,
    reopen_rate,
)
from .response import (
    SlaAttainment,
    first_response_sla_hours,
    first_response_time,
    resolution_time,
    sla_attainment,
)
from .satisfaction import csat, csat_praise, nps
from .summary import budget_alerts, kb_most_viewed_due_for_review, summary_counts
from .volume import category_trend, escalation_rate, escalations, volume

__all__ = [
    "CSAT_TARGET",
    "ESCALATION_TARGET",
    "FCR_TARGET",
    "NPS_TARGET",
    "REOPEN_TARGET",
    "RESOLUTION_TARGET_HOURS",
    "SLA_ATTAINMENT_TARGET",
    "Metric",
    "SlaAttainment",
    "average_handle_time",
    "budget_alerts",
    "category_trend",
    "csat",
    "csat_praise",
    "escalation_rate",
    "escalations",
    "first_contact_resolution",
    "first_response_sla_hours",
    "first_response_time",
    "kb_deflection",
    "kb_most_viewed_due_for_review",
    "nps",
    "reopen_rate",
    "resolution_time",
    "sla_attainment",
    "summary_counts",
    "volume",
]
