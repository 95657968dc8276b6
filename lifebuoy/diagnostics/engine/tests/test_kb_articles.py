"""Every check names a knowledge-base article, and that article is one Lifebuoy ships."""

from __future__ import annotations

from pathlib import Path

from lifebuoy.diagnostics.engine.kb import KB_ARTICLES, kb_article_for
from lifebuoy.diagnostics.engine.runner import CHECKS
from lifebuoy.diagnostics.engine.tests.gitrepo import ago

SEED = Path(__file__).resolve().parents[3] / "kb" / "seed" / "articles"


def test_every_check_names_a_seeded_article():
    check_ids = {check.ID for check in CHECKS}
    assert check_ids <= set(KB_ARTICLES)
    for check_id in check_ids:
        article = kb_article_for(check_id)
        assert article is not None, check_id
        assert (SEED / f"{article}.md").exists(), (check_id, article)


def test_findings_carry_their_article(repo):
    repo.commit("C1: plan", at=ago(minutes=30))
    repo.commit(
        "C2: build", files={"notes.md": "<<<<<<< HEAD\nA\n=======\nB\n>>>>>>> x\n"}, at=ago(hours=5)
    )
    report = repo.diagnose()
    assert report.findings
    for finding in report.findings:
        assert finding.kb_article == kb_article_for(finding.check)
