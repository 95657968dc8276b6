"""Agent replies posted back as GitHub issue comments (REST API, a token with issues:write)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from lifebuoy.notifications.transports import Outgoing, TransportError

TIMEOUT_SECONDS = 10


class GitHubTransport:
    def send(self, outgoing: Outgoing) -> None:
        if not outgoing.target.startswith(("https://", "http://")):
            raise TransportError("GitHub API URLs must be http(s).", retryable=False)
        request = urllib.request.Request(  # noqa: S310  # scheme checked above
            outgoing.target,
            data=json.dumps({"body": outgoing.payload["body"]}).encode(),
            method="POST",
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {settings.LIFEBUOY_GITHUB_TOKEN}",
                "X-GitHub-Api-Version": "2022-11-28",
                "Content-Type": "application/json",
                "User-Agent": "Lifebuoy",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # idem
                response.read(1024)
        except urllib.error.HTTPError as exc:
            retryable = exc.code in (403, 429) or exc.code >= 500  # rate limits
            raise TransportError(f"GitHub answered {exc.code}", retryable=retryable) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
