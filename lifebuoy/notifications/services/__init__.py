"""Writes for customer communication: templates, the outbox and its delivery, inbound mail."""
