"""Quality issues: C3 validating within 24 h, C2 reports without a later validation."""

from __future__ import annotations

from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, ago, checks

VERDICT = "# C3 → C1: VALIDATION\n**Status:** ✅ APPROVED\n**Quality Score:** 9/10\n"


def test_c3_not_validating_within_24_hours(repo):
    repo.commit("C3: validation", {f"{CLOUD}/c3_to_c1.md": VERDICT}, at=ago(hours=30))
    repo.commit("C1: validate please", {f"{CLOUD}/c1_to_c3.md": "# C1 → C3\n"}, at=ago(hours=2))
    [finding] = checks(repo.diagnose(), "c3_validation")
    assert "Cloud C3 last validated 1d 6h ago" in finding.summary
    assert "last validation request" in finding.evidence[1].text


def test_c3_validating_recently_is_fine(repo):
    repo.commit("🏆 C3 Deep Scan: validated the build, APPROVED", at=ago(hours=3))
    assert not checks(repo.diagnose(), "c3_validation")


def test_a_trinity_never_validated(repo):
    repo.commit("C2: work", at=ago(hours=1))
    [finding] = checks(repo.diagnose(), "c3_validation")
    assert "never validated" in finding.summary


def test_reports_without_later_validation(repo):
    repo.commit("C3: verdict", {f"{CLOUD}/c3_to_c1.md": VERDICT}, at=ago(hours=10))
    repo.commit("C2: report 1", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1\n1"}, at=ago(hours=8))
    repo.commit("C2: report 2", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1\n2"}, at=ago(hours=6))
    repo.commit("C2: report 3", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1\n3"}, at=ago(minutes=30))
    [finding] = checks(repo.diagnose(), "unvalidated_reports")
    assert finding.summary.startswith("2 report(s) from Cloud C2, the oldest 8h 00m ago")


def test_validated_reports_are_fine(repo):
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1\n"}, at=ago(hours=8))
    repo.commit("C3: verdict", {f"{CLOUD}/c3_to_c1.md": VERDICT}, at=ago(hours=7))
    assert not checks(repo.diagnose(), "unvalidated_reports")


def test_a_c1_copy_into_the_validation_channel_is_not_a_validation(repo):
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1\n"}, at=ago(hours=8))
    repo.commit("C1: copied verdict", {f"{CLOUD}/c3_to_c1.md": VERDICT}, at=ago(hours=7))
    report = repo.diagnose()
    assert checks(report, "unvalidated_reports")
    [mismatch] = checks(report, "channel_writer_mismatch")
    assert "belongs to Cloud C3" in mismatch.summary
    assert "Cloud C1 (1x)" in mismatch.summary
