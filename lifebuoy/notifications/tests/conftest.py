"""Fixtures for the notifications tests."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from lifebuoy.notifications import webhook_targets

# Names the webhook tests use, and what they resolve to; the tests never ask real DNS.
FAKE_DNS: dict[str, list[str]] = {
    "hooks.acme.example": ["93.184.215.14"],
    "hooks.globex.example": ["93.184.215.15", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "hooks.new.example": ["93.184.215.16"],
    "localhost": ["127.0.0.1", "::1"],
    "internal.example": ["10.1.2.3"],
    "metadata.example": ["169.254.169.254"],
    "split.example": ["93.184.215.17", "192.168.0.10"],
}


def fake_resolve(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    if host not in FAKE_DNS:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return FAKE_DNS[host]


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook_targets, "resolve_addresses", fake_resolve)
