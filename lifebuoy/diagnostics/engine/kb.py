"""Check id -> the knowledge-base article that explains the problem and its fix.

The ids are the seeded articles' (``lifebuoy/kb/seed/articles``), which keep their ids for
good; the engine needs no database to name them.
"""

from __future__ import annotations

KB_ARTICLES: dict[str, str | None] = {
    "agent_activity": "KB-1001",  # agent not responding
    "machine_heartbeats": "KB-1015",  # heartbeat daemons
    "status_contradictions": "KB-1014",  # status files say fine, nothing happens
    "unanswered_messages": "KB-1001",
    "strict_protocol": "KB-1028",  # stuck work orders, coordinator gone
    "channel_writer_mismatch": "KB-1020",  # roles and layout profiles
    "heartbeat_sweeps": "KB-1015",
    "repo_size": "KB-1009",  # bloated .git
    "consolidation_time": "KB-1002",  # slow consolidation
    "slow_tasks": "KB-1008",  # a task too big for one pass
    "work_orders": "KB-1028",
    "work_queue": "KB-1028",
    "task_size": "KB-1008",
    "unmerged_reports": "KB-1002",
    "c3_validation": "KB-1003",  # poor output quality
    "unvalidated_reports": "KB-1003",
    "conflict_markers": "KB-1004",  # git conflicts between agents
    "unmerged_paths": "KB-1004",
    "conflict_commits": "KB-1004",
    "simultaneous_edits": "KB-1004",
    "protocol_violations": "KB-1011",  # builder and validator talking directly
    "branch_behind": "KB-1012",  # acting on old messages
    "branches": "KB-1012",
    "layout": "KB-1020",
    "cost_overrun": "KB-1005",  # cost overruns
}


def kb_article_for(check_id: str) -> str | None:
    return KB_ARTICLES.get(check_id)
