"""The strict coordination protocol's limits, only where the profile says it applies."""

from __future__ import annotations

from lifebuoy.diagnostics.engine.profiles import load_profile
from lifebuoy.diagnostics.engine.tests.gitrepo import ago, checks

FOLDER = ".consciousness/trinity/coordination"
STRICT = "coordination-folder"
CLAIM = '{"id": "wo-7", "status": "IN_PROGRESS", "claimed_by": "C2"}'


def summaries(report) -> str:
    return "\n".join(f.summary for f in checks(report, "strict_protocol"))


def test_the_protocol_limits_are_the_documented_ones():
    strict = load_profile(STRICT).strict
    assert strict is not None
    assert strict.c1_offline_emergency.total_seconds() == 30 * 60
    assert strict.claim_heartbeat_stale.total_seconds() == 10 * 60
    assert strict.heartbeat_timeout_cloud.total_seconds() == 2 * 60
    assert strict.heartbeat_timeout_local.total_seconds() == 10 * 60
    assert load_profile("dual-trinity").strict is None


def test_c1_offline_past_the_emergency_limit_is_flagged(repo):
    repo.commit("C1: plan", {f"{FOLDER}/messages/c1_to_c2_0001.json": "{}"}, at=ago(minutes=45))
    repo.commit("C2: working", {"src/a.py": "x"}, at=ago(minutes=1))
    [finding] = checks(repo.diagnose(profile=STRICT), "strict_protocol")
    assert finding.summary.startswith("C1 has been silent for 45m")
    assert "C1_OFFLINE_EMERGENCY may be raised" in finding.summary
    assert "No coordination document at the tip raises" in finding.evidence[-1].text
    assert not checks(repo.diagnose(), "strict_protocol")  # dual-trinity: not strict


def test_a_raised_emergency_flag_is_shown(repo):
    repo.commit("C1: plan", {"src/plan.md": "x"}, at=ago(hours=1))
    repo.commit("C2: override", {f"{FOLDER}/messages/flags.md": "C1_OFFLINE_EMERGENCY: true\n"})
    [finding] = checks(repo.diagnose(profile=STRICT), "strict_protocol")
    assert finding.evidence[-1].file == f"{FOLDER}/messages/flags.md"


def test_an_active_c1_is_not_flagged(repo):
    repo.commit("C1: plan", {"src/plan.md": "x"}, at=ago(minutes=20))
    assert not checks(repo.diagnose(profile=STRICT), "strict_protocol")


def test_a_claim_without_a_recent_heartbeat_is_flagged(repo):
    repo.commit("C1: plan", {"src/plan.md": "x"}, at=ago(minutes=1))
    repo.commit("C2: claim", {f"{FOLDER}/work_queue/active/wo-7.json": CLAIM}, at=ago(minutes=25))
    repo.commit("C2: claim", {f"{FOLDER}/work_queue/active/wo-8.json": CLAIM}, at=ago(minutes=5))
    [finding] = checks(repo.diagnose(profile=STRICT), "strict_protocol")
    assert finding.summary.startswith("1 claimed work order(s) have had no claim heartbeat")
    assert "releases them to PENDING" in finding.summary
    assert finding.evidence[0].file == f"{FOLDER}/work_queue/active/wo-7.json"


def test_a_completed_claim_is_not_flagged(repo):
    repo.commit("C1: plan", {"src/plan.md": "x"}, at=ago(minutes=1))
    repo.commit("C2: claim", {f"{FOLDER}/work_queue/active/wo-7.json": CLAIM}, at=ago(minutes=50))
    repo.commit(
        "C2: done",
        {
            f"{FOLDER}/work_queue/active/wo-7.json": None,
            f"{FOLDER}/work_queue/completed/wo-7.json": CLAIM.replace("IN_PROGRESS", "COMPLETED"),
        },
        at=ago(minutes=40),
    )
    assert not checks(repo.diagnose(profile=STRICT), "strict_protocol")


def test_limits_can_be_changed_in_a_profile(repo, tmp_path):
    repo.commit("C1: plan", {"src/plan.md": "x"}, at=ago(minutes=1))
    repo.commit("C2: claim", {f"{FOLDER}/work_queue/active/wo-7.json": CLAIM}, at=ago(minutes=25))
    custom = tmp_path / "strict.yaml"
    custom.write_text(
        "extends: coordination-folder\nname: relaxed\n"
        "strict_protocol:\n  claim_heartbeat_stale: 30m\n"
    )
    assert not checks(repo.diagnose(profile=str(custom)), "strict_protocol")


def test_heartbeats_past_their_cloud_or_local_timeout_are_flagged(repo):
    repo.commit("C1: plan", {"src/plan.md": "x"}, at=ago(minutes=1))
    repo.commit(
        "C2: alive", {f"{FOLDER}/status/C2.json": '{"status": "online"}'}, at=ago(minutes=5)
    )
    repo.commit(
        "C3: alive", {f"{FOLDER}/status/C3.json": '{"status": "online"}'}, at=ago(minutes=1)
    )
    repo.commit("daemon: PC1 heartbeat", {".trinity/heartbeats/PC1.json": "{}"}, at=ago(minutes=15))
    repo.commit("daemon: PC2 heartbeat", {".trinity/heartbeats/PC2.json": "{}"}, at=ago(minutes=5))
    found = summaries(repo.diagnose(profile=STRICT))
    assert "1 cloud heartbeat or status file(s)" in found
    assert "cloud heartbeat timeout of 2m" in found
    assert "1 local heartbeat or status file(s)" in found
    files = {
        e.file for f in checks(repo.diagnose(profile=STRICT), "strict_protocol") for e in f.evidence
    }
    assert files == {f"{FOLDER}/status/C2.json", ".trinity/heartbeats/PC1.json"}
