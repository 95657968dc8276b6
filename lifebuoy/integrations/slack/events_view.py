"""``POST /integrations/slack/events``: the Events API's request URL.

Verified first (a bad or stale signature is 401, logged without the body), then stored and
answered at once: the work is a task after the commit, well within Slack's 3 seconds. A repeat
of an event id (Slack's retries carry ``X-Slack-Retry-Num``) is answered 200 and changes
nothing, so Slack stops retrying.
"""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lifebuoy.integrations.slack.inbound import slack_event_receive
from lifebuoy.integrations.slack.signing import slack_request_verified

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def slack_events_view(request: HttpRequest) -> HttpResponse:
    if not slack_request_verified(body=request.body, headers=request.headers):
        logger.warning(
            "Slack events: refused a request with a bad or stale signature (from %s, %s bytes)",
            request.META.get("REMOTE_ADDR", "?"),
            len(request.body),
        )
        return JsonResponse({"detail": "bad signature"}, status=401)
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"detail": "invalid JSON"}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"detail": "expected a JSON object"}, status=400)
    if payload.get("type") == "url_verification":
        return JsonResponse({"challenge": str(payload.get("challenge", ""))})
    if payload.get("type") != "event_callback":
        return JsonResponse({"detail": f"ignored: {payload.get('type')}"})
    received = slack_event_receive(payload=payload, now=timezone.now())
    if received.duplicate:
        return JsonResponse({"detail": "already received"})
    if received.event is None:
        return JsonResponse({"detail": "no event id"}, status=400)
    return JsonResponse({"detail": "received"})
