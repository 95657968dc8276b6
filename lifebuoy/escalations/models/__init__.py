"""Escalation levels, steps and follow-up state; rules as data; on-call schedules and pages."""

from .escalation import (
    CHECKLIST_ITEMS,
    AgentCapacity,
    EscalationState,
    EscalationStep,
    Level,
    RoundRobinCursor,
)
from .oncall import (
    EmergencyContact,
    EscalationPolicy,
    LayerMember,
    Page,
    PageDue,
    PageNotice,
    PageStatus,
    PolicyLevel,
    Schedule,
    ScheduleLayer,
    ScheduleOverride,
)
from .rules import Condition, Firing, FiringOutcome, Mode, Rule

__all__ = [
    "CHECKLIST_ITEMS",
    "AgentCapacity",
    "Condition",
    "EmergencyContact",
    "EscalationPolicy",
    "EscalationState",
    "EscalationStep",
    "Firing",
    "FiringOutcome",
    "LayerMember",
    "Level",
    "Mode",
    "Page",
    "PageDue",
    "PageNotice",
    "PageStatus",
    "PolicyLevel",
    "RoundRobinCursor",
    "Rule",
    "Schedule",
    "ScheduleLayer",
    "ScheduleOverride",
]
