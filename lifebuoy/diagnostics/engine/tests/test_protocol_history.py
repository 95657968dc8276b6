"""From/To headers in earlier versions of channel files, not only at the branch tip."""

from __future__ import annotations

from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, ago, checks

REPORT = f"{CLOUD}/c2_to_c1.md"
DIRECT = "# C2 → C3: DELIVERABLE\n\n**From:** C2\n**To:** C3\n\nHere is the build.\n"
PROPER = "# C2 → C1: REPORT\n\n**From:** C2\n**To:** C1\n\nBuild done.\n"


def history_findings(report):
    return [f for f in checks(report, "protocol_violations") if "Earlier versions" in f.summary]


def test_a_direct_message_overwritten_since_is_found_in_history(repo):
    sha = repo.commit("CLOUD-C2: deliver", {REPORT: DIRECT}, at=ago(hours=3))
    repo.commit("CLOUD-C2: report", {REPORT: PROPER}, at=ago(hours=2))
    [finding] = history_findings(repo.diagnose())
    assert finding.severity.value == "critical"
    assert f"Earlier versions of {REPORT} carried 1 message(s)" in finding.summary
    assert "(C2->C3)" in finding.summary
    [proof] = finding.evidence
    assert (proof.commit, proof.file, proof.line) == (sha, REPORT, 1)
    assert finding.solutions


def test_a_message_repeated_in_later_versions_is_reported_once(repo):
    first = repo.commit("CLOUD-C2: deliver", {REPORT: DIRECT}, at=ago(hours=4))
    repo.commit("CLOUD-C2: more", {REPORT: DIRECT + "\nMore.\n"}, at=ago(hours=3))
    repo.commit("CLOUD-C2: report", {REPORT: PROPER}, at=ago(hours=2))
    [finding] = history_findings(repo.diagnose())
    assert [e.commit for e in finding.evidence] == [first]


def test_proper_messages_in_history_are_not_violations(repo):
    repo.commit("CLOUD-C2: report", {REPORT: PROPER}, at=ago(hours=3))
    repo.commit("CLOUD-C2: report", {REPORT: PROPER + "\nAgain.\n"}, at=ago(hours=2))
    assert not checks(repo.diagnose(), "protocol_violations")


def test_a_message_still_at_the_tip_is_reported_by_the_tip_check_only(repo):
    repo.commit("CLOUD-C2: deliver", {REPORT: DIRECT}, at=ago(hours=3))
    found = checks(repo.diagnose(), "protocol_violations")
    assert len(found) == 1
    assert "Earlier versions" not in found[0].summary


def test_pairs_the_profile_allows_are_not_violations_in_history(repo, tmp_path):
    repo.commit("CLOUD-C2: deliver", {REPORT: DIRECT}, at=ago(hours=3))
    repo.commit("CLOUD-C2: report", {REPORT: PROPER}, at=ago(hours=2))
    profile = tmp_path / "deliverables.yaml"
    profile.write_text(
        'extends: dual-trinity\nname: deliverables\nallowed_pairs: ["C1->C2", "C2->C1", '
        '"C1->C3", "C3->C1", "C2->C3"]\n'
    )
    assert not checks(repo.diagnose(profile=str(profile)), "protocol_violations")
