"""Where Lifebuoy keeps its files; importable before the settings (no environment is read for
anything else here)."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def data_dir_from_env() -> Path:
    """``$LIFEBUOY_DATA_DIR``, else ``var/`` in the checkout."""
    return Path(os.environ.get("LIFEBUOY_DATA_DIR", BASE_DIR / "var"))
