"""What status files claim, from every status-like file a profile knows, against git."""

from __future__ import annotations

import json

from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, HUB, TERMINAL, ago, checks

HUB_STATUS = f"{HUB}/hub_status.md"
DASHBOARD = f"{HUB}/screen_watch/dashboard.md"
HUB_JSON = ".consciousness/trinity/TRINITY_HUB.json"


def table(*rows: str) -> str:
    return "# Status\n\n| Agent | Role | Status | Task |\n|---|---|---|---|\n" + "".join(
        f"{row}\n" for row in rows
    )


def summaries(report) -> list[str]:
    return [f.summary for f in checks(report, "status_contradictions")]


def work(repo, who: str, minutes: float) -> str:
    return repo.commit(f"{who}: work", {f"src/{who}.py": str(minutes)}, at=ago(minutes=minutes))


def test_a_hub_status_page_claiming_a_silent_agent_online_is_a_contradiction(repo):
    since = work(repo, "TERMINAL-C2", 300)
    page = table(
        "| Terminal C2 | builder | 🟢 ONLINE | tests |", "| Cloud C1 | coord | 🟢 ONLINE | |"
    )
    work(repo, "CLOUD-C1", 20)
    repo.commit("TERMINAL-C1: hub status", {HUB_STATUS: page}, at=ago(minutes=10))
    [finding] = checks(repo.diagnose_both(since), "status_contradictions")
    assert finding.summary == (
        f"{HUB_STATUS} says Terminal C2 is online, but it is last active 5h 00m ago."
    )
    assert (finding.evidence[0].file, finding.evidence[0].line) == (HUB_STATUS, 5)
    assert finding.severity.value == "warning"


def test_a_hub_status_page_that_matches_git_is_fine(repo):
    since = work(repo, "TERMINAL-C2", 30)
    page = table("| Terminal C2 | builder | 🟢 ONLINE | tests |", "| Cloud C3 | v | 🔴 OFFLINE | |")
    repo.commit("TERMINAL-C1: hub status", {HUB_STATUS: page}, at=ago(minutes=10))
    assert not summaries(repo.diagnose_both(since))


def test_a_dashboard_saying_not_activated_while_the_agent_commits_is_a_contradiction(repo):
    since = work(repo, "CLOUD-C1", 50)
    page = table("| C3 | validator | ⚪ NOT ACTIVATED | - |", "| C2 | builder | not responsive | |")
    repo.commit("CLOUD-C1: dashboard", {DASHBOARD: page}, at=ago(minutes=40))
    work(repo, "CLOUD-C3", 10)
    report = repo.diagnose_both(since)
    assert summaries(report) == [
        f"{DASHBOARD} says Cloud C3 is not active, but it committed 10m ago."
    ]


def test_a_dashboard_saying_not_activated_of_a_silent_agent_is_true(repo):
    since = work(repo, "CLOUD-C3", 300)
    page = table("| C3 | validator | ⚪ NOT ACTIVATED | - |")
    repo.commit("CLOUD-C1: dashboard", {DASHBOARD: page}, at=ago(minutes=40))
    assert not summaries(repo.diagnose_both(since))


def test_a_from_cloud_status_page_speaks_for_the_cloud_trinity(repo):
    since = work(repo, "CLOUD-C2", 20)
    page = table("| C2 | builder | OPERATIONAL | |")
    repo.commit("CLOUD-C1: status", {f"{HUB}/from_cloud/status.md": page}, at=ago(minutes=5))
    repo.commit("TERMINAL-C1: status", {f"{HUB}/from_terminal/status.md": page}, at=ago(minutes=5))
    assert summaries(repo.diagnose_both(since)) == [
        f"{HUB}/from_terminal/status.md says Terminal C2 is online, but it is never seen in git."
    ]


def hub_json(c2: str, c3: str, instances: int) -> str:
    return json.dumps(
        {
            "agents": {
                "C1": {"status": "active", "last_heartbeat": "2026-03-10T11:55:00Z"},
                "C2": {"status": c2, "last_heartbeat": "2026-03-10T11:55:00Z"},
                "C3": {"status": c3},
            },
            "instances_online": instances,
        }
    )


def test_a_networked_triads_hub_report_is_compared_with_git(repo):
    since = work(repo, "C2", 360)
    work(repo, "C1", 5)
    repo.commit("C1: hub", {HUB_JSON: hub_json("active", "offline", 3)}, at=ago(minutes=4))
    work(repo, "C3", 3)
    report = repo.diagnose_both(since, profile="networked-triad")
    assert sorted(summaries(report)) == [
        f"{HUB_JSON} says 3 instance(s) are online, but git shows 2 agent(s) active within 2h 00m.",
        f"{HUB_JSON} says C2 is online, but it is last active 6h 00m ago.",
        f"{HUB_JSON} says C3 is not active, but it committed 3m ago.",
    ]


def test_a_networked_triads_honest_hub_report_is_fine(repo):
    since = work(repo, "C2", 360)
    work(repo, "C1", 5)
    repo.commit("C1: hub", {HUB_JSON: hub_json("offline", "active", 2)}, at=ago(minutes=4))
    work(repo, "C3", 3)
    assert not summaries(repo.diagnose_both(since, profile="networked-triad"))


STAMPED = (
    "# Trinity status\n\n**Last Updated:** {stamp}\n\n"
    "| Agent | Status |\n|---|---|\n| C1 | 🟢 ONLINE |\n"
)


def test_a_status_claimed_as_of_long_ago_is_stale(repo):
    since = work(repo, "C1", 30)
    page = STAMPED.format(stamp="2026-03-09 08:00 UTC")
    repo.commit("C1: status", {f"{CLOUD}/trinity_status.md": page}, at=ago(minutes=20))
    [finding] = checks(repo.diagnose_both(since), "status_contradictions")
    assert finding.severity.value == "info"
    assert finding.summary == (
        f"{CLOUD}/trinity_status.md claims Cloud C1 online as of 1d 4h before the reference time, "
        "longer than the offline limit: a stale claim."
    )


def test_a_status_dated_after_the_commit_that_wrote_it_is_reported(repo):
    since = work(repo, "C1", 90)
    page = STAMPED.format(stamp="2026-03-10T18:00:00Z")
    written = repo.commit("C1: status", {f"{TERMINAL}/trinity_status.md": page}, at=ago(hours=1))
    [finding] = checks(repo.diagnose_both(since), "status_contradictions")
    assert finding.summary == (
        f"{TERMINAL}/trinity_status.md carries a time (2026-03-10T18:00:00Z) later than the commit "
        "that wrote it."
    )
    assert finding.evidence[0].line == 3
    assert finding.evidence[1].commit == written


def test_a_fresh_status_written_when_it_says_is_fine(repo):
    since = work(repo, "C1", 30)
    page = STAMPED.format(stamp="2026-03-10 11:55")
    repo.commit("C1: status", {f"{CLOUD}/trinity_status.md": page}, at=ago(minutes=4))
    assert not summaries(repo.diagnose_both(since))
