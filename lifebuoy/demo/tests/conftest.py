from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path) -> Path:
    """The demo builds its monitored repositories in the data directory: a throwaway one."""
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR
