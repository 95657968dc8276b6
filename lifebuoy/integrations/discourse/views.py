"""``POST /integrations/discourse/webhook``: forum events, verified with the shared secret."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lifebuoy.integrations.discourse.inbound import SOURCE, discourse_event_handle
from lifebuoy.integrations.webhook.signing import verify
from lifebuoy.notifications.services.external import inbound_event_claim


@csrf_exempt
@require_POST
def discourse_webhook_view(request: HttpRequest) -> JsonResponse:
    signature = request.headers.get("X-Discourse-Event-Signature", "")
    if not verify(settings.LIFEBUOY_DISCOURSE_WEBHOOK_SECRET, request.body, signature):
        return JsonResponse({"detail": "bad signature"}, status=401)
    event = request.headers.get("X-Discourse-Event", "")
    delivery = request.headers.get("X-Discourse-Event-Id", "")
    if delivery and not inbound_event_claim(
        source=SOURCE, delivery_id=delivery, now=timezone.now()
    ):
        return JsonResponse({"detail": "already handled"})
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"detail": "invalid JSON"}, status=400)
    instance = request.headers.get("X-Discourse-Instance", "")
    outcome = discourse_event_handle(
        event=event, instance=instance, payload=payload, now=timezone.now()
    )
    return JsonResponse({"detail": outcome})
