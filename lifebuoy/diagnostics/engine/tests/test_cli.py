"""``lifebuoy doctor`` through Typer's CliRunner: exit codes, JSON, one-sentence errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from lifebuoy.cli.app import build
from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, NOW, ago

NOW_ARG = ["--now", NOW.isoformat()]


@pytest.fixture(scope="module")
def cli():
    return build()


def invoke(cli, *args):
    return CliRunner().invoke(cli, ["doctor", *args])


def healthy(repo):
    for trinity, prefix in (
        (".consciousness/trinity", "CLOUD"),
        (".consciousness/trinity_terminal", "TERMINAL"),
    ):
        repo.commit(
            f"{prefix}-C1: task", {f"{trinity}/c1_to_c2.md": "# C1 → C2\n"}, at=ago(minutes=50)
        )
        repo.commit(
            f"{prefix}-C2: report", {f"{trinity}/c2_to_c1.md": "# C2 → C1\n"}, at=ago(minutes=40)
        )
        repo.commit(
            f"{prefix}-C3: validated, APPROVED",
            {f"{trinity}/c3_to_c1.md": "ok\n"},
            at=ago(minutes=30),
        )
    repo.commit(
        "TERMINAL-C1: consolidate",
        {".consciousness/hub/master_consolidated.md": "Both trinities agree.\n" * 20},
        at=ago(minutes=20),
    )
    return repo


def test_a_healthy_repository_exits_0(cli, repo):
    result = invoke(cli, str(healthy(repo).path), *NOW_ARG)
    assert result.exit_code == 0, result.output
    assert "0 critical, 0 warning" in result.output
    assert " ".join(result.stderr.split()).startswith("No problems at warning or above")


def test_problems_exit_3_with_json(cli, repo):
    repo.commit("C2: talk", {f"{CLOUD}/c2_to_c3.md": "hi"}, at=ago(hours=5))
    result = invoke(cli, str(repo.path), *NOW_ARG, "--format", "json")
    assert result.exit_code == 3
    assert "problem(s) at warning or above: 1 critical" in " ".join(result.stderr.split())
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert {"agents", "machines", "findings", "not_read", "repository", "summary"} <= set(data)
    assert data["now"] == "2026-03-10T12:00:00Z"
    c2 = next(a for a in data["agents"] if a["id"] == "cloud/C2")
    assert c2["status"] == "offline"
    assert c2["method"] == "subject_prefix"
    assert c2["commit"]["author_date"] == "2026-03-10T07:00:00Z"
    violation = next(f for f in data["findings"] if f["check"] == "protocol_violations")
    assert violation["category"] == "git_conflicts"
    assert violation["severity"] == "critical"
    assert violation["kb_article"] == "KB-1011"  # builder and validator talking directly
    assert violation["solutions"][0]["steps"]
    assert violation["evidence"][0]["commit"]


def test_usage_errors_exit_2_with_one_sentence(cli, repo, tmp_path):
    repo.commit("C1: x", at=ago(hours=1))
    cases = [
        ["--now", "yesterday"],
        ["--branch", "main", "--all-branches"],
        ["--branch", "nope"],
        ["--profile", "nope"],
        ["--usage", str(tmp_path / "missing.csv")],
    ]
    for extra in cases:
        result = invoke(cli, str(repo.path), *extra)
        assert result.exit_code == 2, (extra, result.output)
        assert "Traceback" not in result.output
        sentence = " ".join(result.stderr.split())
        assert sentence.endswith("."), sentence
        assert sentence.count(". ") == 0, sentence


def test_an_unreadable_repository_exits_1(cli, tmp_path):
    result = invoke(cli, str(tmp_path / "nowhere"), *NOW_ARG)
    assert result.exit_code == 1
    assert "does not exist" in " ".join(result.stderr.split())
    plain = tmp_path / "plain"
    plain.mkdir()
    result = invoke(cli, str(plain))
    assert result.exit_code == 1
    assert "cannot be read as a git repository" in " ".join(result.stderr.split())


def test_usage_and_branch_options(cli, repo, tmp_path):
    healthy(repo)
    usage = tmp_path / "usage.csv"
    usage.write_text("date,model,input_tokens,output_tokens,cost\n2026-03-09,opus,1,1,3.5\n")
    result = invoke(
        cli,
        str(repo.path),
        *NOW_ARG,
        "--usage",
        str(usage),
        "--branch",
        "main",
        "--profile",
        "dual-trinity",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert any(f["check"] == "cost_overrun" for f in data["findings"])
    assert data["repository"]["refs"][0]["name"] == "main"


def test_an_internal_error_is_one_sentence_not_a_traceback(cli, repo, monkeypatch):
    repo.commit("C1: x", at=ago(hours=1))

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("lifebuoy.diagnostics.engine.runner.diagnose", broken)
    result = invoke(cli, str(repo.path), *NOW_ARG)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "internal error (RuntimeError: boom)" in " ".join(result.stderr.split())
