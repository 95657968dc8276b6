"""Work orders: assigned -> in progress -> reported -> validated, and the stale ones."""

from __future__ import annotations

from lifebuoy.diagnostics.engine.checks.work_orders import (
    ASSIGNED,
    IN_PROGRESS,
    REPORTED,
    VALIDATED,
    work_orders,
)
from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, TERMINAL, ago, checks

TASK = "# C1 → C2: TASK\n\n**From:** C1\n**To:** C2\n\nBuild the parser.\n"
REPORT = "# C2 → C1: REPORT\n\n**From:** C2\n**To:** C1\n\nParser built.\n"
VALIDATION = "# C3 → C1: VALIDATION\n\n**From:** C3\n**To:** C1\n**Status:** ✅ APPROVED\n"


def assign(repo, hours: float, root: str = CLOUD, who: str = "CLOUD-C1") -> None:
    repo.commit(f"{who}: task", {f"{root}/c1_to_c2.md": TASK + str(hours)}, at=ago(hours=hours))


def report(repo, hours: float) -> None:
    repo.commit(
        "CLOUD-C2: report", {f"{CLOUD}/c2_to_c1.md": REPORT + str(hours)}, at=ago(hours=hours)
    )


def validate(repo, hours: float) -> None:
    repo.commit(
        "CLOUD-C3: review", {f"{CLOUD}/c3_to_c1.md": VALIDATION + str(hours)}, at=ago(hours=hours)
    )


def test_each_work_order_gets_the_state_it_reached(repo):
    assign(repo, 40)
    report(repo, 38)
    validate(repo, 37)  # validated
    assign(repo, 30)
    report(repo, 28)  # reported, never validated
    assign(repo, 3)
    repo.commit("CLOUD-C2: working on it", {"src/parser.py": "x"}, at=ago(hours=1))  # picked up
    assign(repo, 5, root=TERMINAL, who="TERMINAL-C1")  # nobody picked it up
    orders = work_orders(repo.diagnose().snapshot)
    assert [o.state for o in orders["cloud"]] == [VALIDATED, REPORTED, IN_PROGRESS]
    assert [o.state for o in orders["terminal"]] == [ASSIGNED]


def test_a_work_order_nobody_picked_up_is_flagged(repo):
    repo.commit("CLOUD-C2: earlier work", {"src/a.py": "x"}, at=ago(hours=5))
    assign(repo, 3)
    [finding] = checks(repo.diagnose(), "work_orders")
    assert finding.severity.value == "warning"
    assert "assigned to Cloud C2 3h 00m ago is still waiting to be picked up" in finding.summary
    assert finding.evidence[0].file == f"{CLOUD}/c1_to_c2.md"
    assert "Cloud C2's last activity" in finding.evidence[1].text
    assert finding.solutions


def test_a_work_order_picked_up_or_recent_is_not_flagged(repo):
    assign(repo, 3)
    repo.commit("CLOUD-C2: started", {"src/a.py": "x"}, at=ago(hours=2))
    assign(repo, 1, root=TERMINAL, who="TERMINAL-C1")  # within the 2 h limit
    assert not checks(repo.diagnose(), "work_orders")


def test_the_pickup_limit_comes_from_the_profile(repo, tmp_path):
    assign(repo, 1)
    profile = tmp_path / "p.yaml"
    profile.write_text("extends: dual-trinity\nname: p\nthresholds:\n  work_order_pickup: 30m\n")
    [finding] = checks(repo.diagnose(profile=str(profile)), "work_orders")
    assert "limit 30m" in finding.summary


def test_a_report_never_validated_is_flagged_once_by_the_reports_check(repo):
    assign(repo, 40)
    report(repo, 30)
    report_ = repo.diagnose()
    assert not checks(report_, "work_orders")
    [finding] = checks(report_, "unvalidated_reports")
    assert finding.evidence[0].file == f"{CLOUD}/c2_to_c1.md"


def test_a_validated_or_recent_report_is_not_flagged(repo):
    assign(repo, 40)
    report(repo, 30)
    validate(repo, 29)
    assign(repo, 12)
    report(repo, 10)  # waiting, but for less than 24 h
    assert not checks(repo.diagnose(), "work_orders")
