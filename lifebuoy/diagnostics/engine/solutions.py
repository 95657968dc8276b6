"""What to do about each finding: the support playbook's remedies, restated per check."""

from __future__ import annotations

from lifebuoy.diagnostics.engine.findings import Solution

S = Solution

SESSION_EXPIRED = S(
    "The agent's session ended",
    "The browser or terminal session running the agent timed out or was closed.",
    (
        "Open a new session for the agent.",
        "Give it its activation instructions again.",
        "Wait for it to acknowledge and pick up its channel file.",
    ),
    "about 5 minutes",
)
GIT_SYNC = S(
    "The agent cannot reach the repository",
    "Pushes or pulls fail, so the agent's work never lands in git.",
    (
        "Run a pull with the agent's credentials and read the error.",
        "Confirm the network path to the git host.",
        "Confirm the agent still has access to the repository.",
        "Renew the credentials if they expired.",
    ),
    "about 10 minutes",
)
OVERLOADED = S(
    "The agent is stuck on a very large task",
    "The last assignment is too big to finish in one go.",
    (
        "Read the last message sent to the agent.",
        "Split it into smaller pieces if it is too large, or give it time to finish.",
    ),
    "a wait, or about 15 minutes to split the task",
)
DAEMON_STOPPED = S(
    "The heartbeat daemon stopped",
    "The machine is off, asleep or lost its network, or the daemon process died.",
    (
        "Check that the machine is up and online.",
        "Restart the heartbeat daemon and watch for its next commit.",
        "Confirm the daemon's machine label is the right one.",
    ),
    "about 10 minutes",
)
STALE_STATUS = S(
    "The status file is not kept up to date",
    "Agents or daemons write status claims that nobody refreshes, so the file drifts from "
    "what git shows.",
    (
        "Trust the git evidence over the status file.",
        "Have the coordinator correct the status table.",
        "Make status updates part of every agent's routine, or generate the file from git.",
    ),
    "about 10 minutes",
)
OWNERSHIP = S(
    "A channel file has more than one writer",
    "An agent copied or edited another agent's channel file, blurring who said what.",
    (
        "Remind agents that each channel file has exactly one writer.",
        "Move the copied text to the writer's own channel.",
    ),
    "about 10 minutes",
)
GIT_MAINTENANCE = S(
    "The repository has grown too large",
    "History and loose objects have piled up in the git directory.",
    (
        "Run a full garbage collection with pruning on the customer's side.",
        "Repack aggressively (all objects, deep delta chains).",
        "Keep generated trees such as node_modules or browser profiles out of git.",
    ),
    "15 to 30 minutes; size usually drops by half or more",
)
SPLIT_TASK = S(
    "The task is too big",
    "One assignment carries more work than fits in a single execution.",
    (
        "Break the task into smaller subtasks.",
        "Assign them one after another.",
        "Let the final consolidation combine the results.",
    ),
    "about 30 minutes to restructure; tasks often finish 3 to 5 times faster",
)
NETWORK = S(
    "Pushes and pulls are slow",
    "Latency to the git server delays every hand-over between agents.",
    (
        "Measure the connection to the git host.",
        "Use a server in the same region as the agents.",
        "Consider a local git server for large deployments.",
    ),
    "depends on the network",
)
C3_IDLE = S(
    "The validator is not engaged",
    "C3 is offline, or the coordinator is not sending it validation requests.",
    (
        "Check that C3 is online and committing.",
        "Check that C1 writes validation requests to C3's channel.",
        "Review C3's activation instructions and tighten its validation criteria.",
    ),
    "about 20 minutes",
)
WEAK_STANDARDS = S(
    "The quality bar is vague",
    "C3's activation instructions lack concrete criteria to validate against.",
    (
        "Add accuracy, completeness and consistency criteria to C3's activation instructions.",
        "Re-activate C3 with the new instructions.",
    ),
    "about 30 minutes",
)
EXPERTISE = S(
    "The task needs knowledge the agents lack",
    "The work is outside what the agents can judge on their own.",
    (
        "Name the missing knowledge.",
        "Give the agents reference material.",
        "Consider a trinity specialised for this domain.",
    ),
    "1 to 2 hours",
)
RESOLVE_CONFLICT = S(
    "Agents edited the same file at the same time",
    "Concurrent edits collided and were merged by hand, or not at all.",
    (
        "Pull, fix the conflicted files, commit the resolution and push.",
        "Review who writes which file so the overlap does not recur.",
    ),
    "about 15 minutes",
)
PROTOCOL = S(
    "C2 and C3 talk to each other directly",
    "The builder and the validator bypass the coordinator, who must mediate every exchange.",
    (
        "Find the offending commits and documents (listed as evidence).",
        "Restate the one-way flow through C1 in every activation instruction.",
        "Have C1 relay any message C2 and C3 need to exchange.",
    ),
    "about 30 minutes; treat as urgent",
)
STALE_BRANCH = S(
    "An agent works on an outdated branch",
    "The agent reads and writes without pulling first.",
    (
        "Make every agent pull before reading its messages.",
        "Add the pull-before-read step to the activation instructions.",
        "Bring all agents up to date with the shared branch.",
    ),
    "about 10 minutes",
)
INEFFICIENT = S(
    "Tasks use too many model calls",
    "Prompts are long, similar tasks run separately, or large models do small jobs.",
    (
        "Find the most expensive tasks.",
        "Shorten the prompts.",
        "Batch similar tasks.",
        "Use smaller models for simple work.",
    ),
    "1 to 2 hours; savings of 30 to 50 percent are typical",
)
UNNEEDED_WORK = S(
    "Agents do work nobody needs",
    "Activation instructions ask for extra validation loops or heavy consolidation.",
    (
        "Review the activation instructions.",
        "Drop validation loops that add nothing.",
        "Simplify the consolidation step.",
    ),
    "about 1 hour; savings of 20 to 30 percent are typical",
)
BUDGET = S(
    "There are no cost controls",
    "Spending is not capped or watched.",
    (
        "Set a monthly budget for the deployment.",
        "Turn on usage alerts.",
        "Pause non-critical tasks when the budget runs low.",
    ),
    "about 30 minutes to set up",
)

MERGE_REPORTS = S(
    "Reports are stuck on unmerged branches",
    "Agents deliver on their own branches and nobody merges them into the coordinator's branch.",
    (
        "Merge the listed branches into the coordinator's branch.",
        "Let the coordinator consolidate the merged reports.",
        "Make merging part of the coordinator's routine after each report.",
    ),
    "about 15 minutes",
)

STALE_CLAIM = S(
    "A work order is claimed but nobody works on it",
    "The agent holding the claim stopped sending claim heartbeats: its session ended or it is "
    "stuck, and the work order stays blocked for everyone else.",
    (
        "Move the work order back to PENDING so another agent can claim it.",
        "Find out why the claiming agent stopped and restart its session.",
        "Make sure the claim heartbeat runs while an agent works on a claim.",
    ),
    "about 10 minutes",
)

DAEMON_SWEEPS = S(
    "The heartbeat daemon commits everything in the work tree",
    "The daemon stages with `git add -A`, so files other agents or machines were still "
    "writing land in its heartbeat commit under its name.",
    (
        "Make the daemon stage only its own heartbeat file (`git add <its file>`).",
        "Ask the likely owners listed to check that the swept files hold what they meant.",
        "Confirm the daemon's machine label matches the heartbeat file it writes.",
    ),
    "about 10 minutes",
)

QUEUE_NOT_MOVED = S(
    "Finished work orders were never moved in the queue",
    "The coordinator declared the work done in its commits, but nobody moved the order to "
    "completed/ or set its status, so the queue still offers it as open work.",
    (
        "Check the coordinator's commit listed: is the work really done?",
        "Move the order to work_queue/completed/ with status COMPLETED, in one commit.",
        "Make moving the order part of the coordinator's step that declares it complete.",
    ),
    "about 10 minutes",
)

BRANCH_HOUSEKEEPING = S(
    "Work sits on branches nobody merges",
    "An agent delivered on its own branch and the branch was left behind, or a branch holds a "
    "history that was never meant to be merged.",
    (
        "For a branch with stale work: merge it into the default branch, or delete it if the "
        "work is abandoned.",
        "For an unrelated branch: leave it out of merges; rename or archive it if it only "
        "confuses the agents.",
        "Make the coordinator's routine end with every agent branch merged or closed.",
    ),
    "about 15 minutes",
)
CHOOSE_PROFILE = S(
    "The repository does not follow the expected layout",
    "No coordination file, agent prefix or heartbeat of the chosen profile appears, so the "
    "deployment uses another layout variant, or the path is not a deployment repository.",
    (
        "Look at the repository's coordination folders and commit subjects.",
        "Run the doctor again with the matching built-in profile (--profile), or write a "
        "profile that extends dual-trinity with the paths and prefixes in use.",
    ),
    "about 10 minutes",
)

SOLUTIONS: dict[str, tuple[Solution, ...]] = {
    "agent_activity": (SESSION_EXPIRED, GIT_SYNC, OVERLOADED),
    "machine_heartbeats": (DAEMON_STOPPED, GIT_SYNC),
    "status_contradictions": (STALE_STATUS, SESSION_EXPIRED),
    "unanswered_messages": (OVERLOADED, SESSION_EXPIRED, GIT_SYNC),
    "strict_protocol": (SESSION_EXPIRED, STALE_CLAIM, DAEMON_STOPPED),
    "channel_writer_mismatch": (OWNERSHIP,),
    "heartbeat_sweeps": (DAEMON_SWEEPS, OWNERSHIP),
    "repo_size": (GIT_MAINTENANCE,),
    "consolidation_time": (GIT_MAINTENANCE, SPLIT_TASK, NETWORK),
    "slow_tasks": (SPLIT_TASK, OVERLOADED, NETWORK),
    "work_orders": (OVERLOADED, SESSION_EXPIRED, C3_IDLE),
    "work_queue": (QUEUE_NOT_MOVED, STALE_CLAIM),
    "task_size": (SPLIT_TASK,),
    "unmerged_reports": (MERGE_REPORTS, STALE_BRANCH),
    "c3_validation": (C3_IDLE, WEAK_STANDARDS),
    "unvalidated_reports": (C3_IDLE, WEAK_STANDARDS, EXPERTISE),
    "conflict_markers": (RESOLVE_CONFLICT,),
    "unmerged_paths": (RESOLVE_CONFLICT,),
    "conflict_commits": (RESOLVE_CONFLICT, STALE_BRANCH),
    "simultaneous_edits": (RESOLVE_CONFLICT, STALE_BRANCH),
    "protocol_violations": (PROTOCOL,),
    "branch_behind": (STALE_BRANCH,),
    "branches": (BRANCH_HOUSEKEEPING, MERGE_REPORTS),
    "layout": (CHOOSE_PROFILE,),
    "cost_overrun": (INEFFICIENT, UNNEEDED_WORK, BUDGET),
}


def solutions_for(check_id: str) -> tuple[Solution, ...]:
    return SOLUTIONS.get(check_id, ())
