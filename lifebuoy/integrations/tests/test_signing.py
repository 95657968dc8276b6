from __future__ import annotations

import hashlib
import hmac

import pytest

from lifebuoy.integrations.webhook.signing import sign, verify
from lifebuoy.notifications.transport_registry import transport_for


def test_signatures_are_hmac_sha256_of_the_raw_body():
    body = b'{"event":"ticket.created"}'
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert sign("s3cret", body) == expected
    assert verify("s3cret", body, expected)
    assert not verify("s3cret", body + b" ", expected)
    assert not verify("", body, sign("", body))  # no secret configured: nothing verifies


def test_the_registry_loads_each_transport_lazily_and_refuses_unknown_kinds():
    for kind in ("email", "slack", "webhook", "github"):
        assert hasattr(transport_for(kind), "send")
    with pytest.raises(LookupError, match="No transport for delivery kind “pigeon”"):
        transport_for("pigeon")
