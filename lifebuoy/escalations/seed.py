"""The playbook's "When to escalate" as starting rules, and the queues the upper levels need."""

from __future__ import annotations

from typing import Any

# key, name, target level, condition, value, also_tag, mode
PLAYBOOK_RULES: list[tuple[str, str, int, str, str, str, str]] = [
    ("t2-persists-48h", "Issue persists after 48 hours", 2, "open_longer_than", "48", "",
     "suggest"),
    ("t2-clear-bug", "Clear bug identified", 2, "has_tag", "clear-bug", "", "suggest"),
    ("t2-security-concern", "Security concern", 2, "has_tag", "security", "", "auto"),
    ("t2-paying-customer", "Customer is a paying customer", 2, "paying_customer", "", "", "auto"),
    ("t3-p1", "Critical production issue (P1)", 3, "priority_is", "P1", "", "auto"),
    ("t3-sla-at-risk", "SLA at risk", 3, "sla_at_risk", "", "", "auto"),
    ("t3-complex", "Complex technical issue (agent's judgement)", 3, "has_tag", "complex", "",
     "suggest"),
    ("t3-enterprise", "Customer is an Enterprise customer", 3, "support_tier_at_least", "3", "",
     "suggest"),
    ("eng-confirmed-bug", "Confirmed bug requiring a code fix", 4, "has_tag", "confirmed-bug", "",
     "suggest"),
    ("product-feature-request", "Feature request with strong customer need", 5, "category_is",
     "feature_request", "strong-need", "suggest"),
    ("eng-performance-architecture", "Performance issue requiring an architecture change", 4,
     "category_is", "performance", "needs-architecture", "suggest"),
    ("eng-security-vulnerability", "Security vulnerability", 4, "has_tag", "vulnerability", "",
     "auto"),
]  # fmt: skip

UPPER_QUEUES: list[tuple[str, str, int]] = [
    ("Engineering", "engineering", 4),
    ("Product", "product", 4),
]


def load_seed(*, rule_model: Any, queue_model: Any) -> None:
    for position, (key, name, level, condition, value, also_tag, mode) in enumerate(PLAYBOOK_RULES):
        rule_model.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "target_level": level,
                "condition": condition,
                "value": value,
                "also_tag": also_tag,
                "mode": mode,
                "position": position,
            },
        )
    for name, slug, tier in UPPER_QUEUES:
        queue_model.objects.get_or_create(slug=slug, defaults={"name": name, "tier": tier})
