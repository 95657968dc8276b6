from __future__ import annotations

from pathlib import Path

import pytest

from lifebuoy.diagnostics.engine.tests.gitrepo import RepoBuilder


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    return RepoBuilder(tmp_path / "deployment")
