"""A repository with no Dual Trinity layout at all: one note to choose a profile, instead of
a warning for every agent the profile expects and never sees."""

from __future__ import annotations

from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity, note
from lifebuoy.diagnostics.engine.profiles import builtin_names
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot

ID = "layout"
CATEGORY = Category.AGENT_NOT_RESPONDING
SEVERITY = Severity.INFO
SUMMARY = "No Dual Trinity layout found; choose a profile."


def found(snapshot: RepoSnapshot) -> bool:
    """Anything of the profile's layout in the history read: a commit attributed to an
    agent, a machine named, or a coordination file written. An empty history is judged
    elsewhere (there is nothing to find a layout in)."""
    history = snapshot.history
    return (
        history.commits_read == 0
        or bool(history.agents)
        or bool(history.machines)
        or bool(history.last_touch)
        or bool(history.channels)
    )


def run(snapshot: RepoSnapshot) -> list[Finding]:
    if found(snapshot):
        return []
    profile = snapshot.profile
    proof = (
        note(
            f"{snapshot.history.commits_read} commit(s) read with the profile {profile.name}: "
            "no agent prefix, machine, heartbeat or coordination file of it."
        ),
        note(f"Built-in profiles: {', '.join(builtin_names())} (--profile), or a YAML file."),
    )
    return [Finding(ID, CATEGORY, SEVERITY, SUMMARY, proof)]
