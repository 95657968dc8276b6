"""Writes for SLAs: clocks follow ticket events; the sweep warns and records breaches.

``clocks`` holds the hooks the ticket services call (``batch`` prepares them for a bulk change);
``breaches`` the sweep and event recording; ``policies`` which policy, target and calendar apply;
``schedule`` the deadline arithmetic.
"""

from .batch import sla_batch
from .breaches import ScanResult, sla_breach_scan
from .clocks import (
    sla_on_message,
    sla_on_priority_change,
    sla_on_status_change,
    sla_on_ticket_created,
)

__all__ = [
    "ScanResult",
    "sla_batch",
    "sla_breach_scan",
    "sla_on_message",
    "sla_on_priority_change",
    "sla_on_status_change",
    "sla_on_ticket_created",
]
