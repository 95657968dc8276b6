"""``POST /integrations/github/webhook``: issue events, verified with ``X-Hub-Signature-256``."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lifebuoy.integrations.github.inbound import SOURCE, github_event_handle
from lifebuoy.integrations.webhook.signing import verify
from lifebuoy.notifications.services.external import inbound_event_claim


@csrf_exempt
@require_POST
def github_webhook_view(request: HttpRequest) -> JsonResponse:
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not verify(settings.LIFEBUOY_GITHUB_WEBHOOK_SECRET, request.body, signature):
        return JsonResponse({"detail": "bad signature"}, status=401)
    event = request.headers.get("X-GitHub-Event", "")
    delivery = request.headers.get("X-GitHub-Delivery", "")
    if event == "ping":
        return JsonResponse({"detail": "pong"})
    if not delivery or not inbound_event_claim(
        source=SOURCE, delivery_id=delivery, now=timezone.now()
    ):
        return JsonResponse({"detail": "already handled"})
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"detail": "invalid JSON"}, status=400)
    outcome = github_event_handle(event=event, payload=payload, now=timezone.now())
    return JsonResponse({"detail": outcome})
