"""Writes for monitoring: deployments, polls of their mirrors, agent status history, problems
with their tickets and alerts, usage and budgets.

Invariants:
- no consent, no polling: ``deployment_poll`` refuses a deployment without read consent;
- at most one open problem per deployment and kind, and one ticket per problem;
- each budget threshold alerts at most once per deployment and month;
- status changes and problem transitions are conditional updates, so concurrent polls agree.
"""
