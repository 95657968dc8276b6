"""The security suite drives the same headless Chromium as the browser tests."""

from __future__ import annotations

import os

from tests.browser.conftest import chromium

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

__all__ = ["chromium"]
