"""Reference time, author dates (never committer dates) and UTC normalisation."""

from __future__ import annotations

from datetime import timedelta, timezone

from lifebuoy.diagnostics.engine.tests.gitrepo import NOW, agent, ago, checks


def test_commits_after_the_reference_time_are_ignored(repo):
    repo.commit("C2: early", at=ago(hours=5))
    repo.commit("C2: after the reference", at=NOW + timedelta(hours=1))
    report = repo.diagnose()
    status = agent(report, "cloud/C2")
    assert status.status == "offline"
    assert status.last is not None
    assert status.last.subject == "C2: early"
    assert report.snapshot.history.commits_after_now == 1
    later = repo.diagnose(now=NOW + timedelta(hours=2))
    assert agent(later, "cloud/C2").status == "online"


def test_rebased_heartbeats_use_the_author_date(repo):
    for minutes in (300, 299, 298):
        repo.commit("daemon: PC1 heartbeat", at=ago(minutes=minutes), committed_at=NOW)
    report = repo.diagnose()
    [finding] = checks(report, "machine_heartbeats")
    assert "PC1" in finding.summary
    assert finding.evidence[0].at == ago(minutes=298)


def test_an_agent_rebased_hours_later_is_still_offline(repo):
    repo.commit("C3: validation", at=ago(hours=6), committed_at=ago(minutes=1))
    assert agent(repo.diagnose(), "cloud/C3").status == "offline"


def test_mixed_offsets_are_normalised_to_utc(repo):
    east = timezone(timedelta(hours=9))
    west = timezone(timedelta(hours=-7))
    repo.commit("C1: from Tokyo", at=ago(hours=1).astimezone(east))
    repo.commit("C2: from California", at=ago(hours=3).astimezone(west))
    report = repo.diagnose()
    last = agent(report, "cloud/C1").last
    assert last is not None
    assert last.at == ago(hours=1)
    assert agent(report, "cloud/C1").status == "online"
    assert agent(report, "cloud/C2").status == "offline"
    assert agent(report, "cloud/C2").age == timedelta(hours=3)
