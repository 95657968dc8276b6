"""The ticket-creating API request the in-process creation benches time: a customer's bearer
token through Django's test client, as ``http_bench.py`` sends it over HTTP. Call after
``bench.databases.setup_django``."""

from __future__ import annotations

import json
from collections.abc import Callable

BODY = json.dumps(
    {
        "subject": "Agent offline",
        "description": "C2 silent for 3 hours",
        "priority": "P2",
        "category": "agent_not_responding",
    }
)


def creation_request(token_name: str) -> Callable[[], None]:
    """A function that creates one ticket through the API (and fails on any other answer), for
    the desk's first customer under a new token named ``token_name``."""
    from django.test import Client

    from lifebuoy.accounts.models import Role, User
    from lifebuoy.accounts.services import api_token_create

    customer = User.objects.filter(role=Role.CUSTOMER).order_by("id").first()
    if customer is None:
        raise SystemExit("no customer here: run bench/desk/generate.py first")
    token = api_token_create(user=customer, name=token_name)[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost")

    def create() -> None:
        response = client.post("/api/tickets/", BODY, content_type="application/json")
        if response.status_code != 201:
            raise SystemExit(
                f"creating a ticket answered {response.status_code}: {response.content!r}"
            )

    return create
