"""Check id -> knowledge-base article id. Empty until the knowledge base has articles."""

from __future__ import annotations

KB_ARTICLES: dict[str, str | None] = {
    "agent_activity": None,
    "machine_heartbeats": None,
    "status_contradictions": None,
    "unanswered_messages": None,
    "strict_protocol": None,
    "channel_writer_mismatch": None,
    "repo_size": None,
    "consolidation_time": None,
    "slow_tasks": None,
    "work_orders": None,
    "task_size": None,
    "unmerged_reports": None,
    "c3_validation": None,
    "unvalidated_reports": None,
    "conflict_markers": None,
    "unmerged_paths": None,
    "conflict_commits": None,
    "simultaneous_edits": None,
    "protocol_violations": None,
    "branch_behind": None,
    "cost_overrun": None,
}


def kb_article_for(check_id: str) -> str | None:
    return KB_ARTICLES.get(check_id)
