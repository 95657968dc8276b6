"""Signing a persona in through the real sign-in page (every persona has this password)."""

from __future__ import annotations

PASSWORD = "pw-for-tests-1"


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
