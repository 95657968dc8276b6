"""Delivery kind -> transport, imported only when first used.

Each provider lives in its folder under ``lifebuoy/integrations/``, above this app; the outbox
names them here by their dotted path, as Django names its back ends in settings, so this app
never imports them (and a worker loads only the transports it uses).
"""

from __future__ import annotations

import importlib
from functools import cache

from lifebuoy.notifications.transports import Transport

TRANSPORTS: dict[str, str] = {
    "email": "lifebuoy.integrations.email.transport:EmailTransport",
    "slack": "lifebuoy.integrations.slack.transport:SlackTransport",
    "webhook": "lifebuoy.integrations.webhook.transport:WebhookTransport",
    "github": "lifebuoy.integrations.github.transport:GitHubTransport",
}


@cache
def transport_for(kind: str) -> Transport:
    try:
        dotted = TRANSPORTS[kind]
    except KeyError:
        raise LookupError(f"No transport for delivery kind “{kind}”.") from None
    module_name, _, class_name = dotted.partition(":")
    transport: Transport = getattr(importlib.import_module(module_name), class_name)()
    return transport
