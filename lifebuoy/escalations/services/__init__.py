"""Writes for escalations: the ladder and its four steps (``escalate``), follow-up duties
(``followup``), rules as data (``rules``), scope triage (``triage``) and on-call (``oncall``).

Invariants:
- a ticket climbs only with the checklist complete; every climb is an EscalationStep plus the
  ticket's own audit entries, written in one transaction;
- notices, reminders and pages go through the notifications outbox, so they leave only after
  the commit and each at most once (idempotency keys);
- rule firings, reminders and page moves are conditional inserts or updates, so concurrent
  sweeps never act twice on the same condition.
"""
