"""Slack's Web API through slack_sdk: who a user is, a shared file's bytes, posting a message.

One ``WebClient`` per process, on ``LIFEBUOY_SLACK_API_URL`` (tests point it at a fake Slack on
127.0.0.1). Network calls never run inside a database transaction.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10


@cache
def _client(token: str, base_url: str) -> WebClient:
    return WebClient(token=token, base_url=base_url, timeout=TIMEOUT_SECONDS)


def web_client() -> WebClient:
    return _client(str(settings.LIFEBUOY_SLACK_BOT_TOKEN), str(settings.LIFEBUOY_SLACK_API_URL))


@dataclass(frozen=True)
class SlackProfile:
    email: str
    name: str
    is_bot: bool = False


def user_profile(slack_user_id: str) -> SlackProfile:
    """``users.info``: the address needs the ``users:read.email`` scope; without it (or when
    Slack cannot answer) the user is known by id and name only."""
    if not settings.LIFEBUOY_SLACK_BOT_TOKEN:
        return SlackProfile(email="", name=slack_user_id)
    try:
        response = web_client().users_info(user=slack_user_id)
    except (SlackApiError, OSError) as exc:
        logger.warning("Slack users.info for %s failed: %s", slack_user_id, exc)
        return SlackProfile(email="", name=slack_user_id)
    user: dict[str, Any] = response.get("user") or {}
    profile: dict[str, Any] = user.get("profile") or {}
    name = profile.get("real_name") or user.get("real_name") or user.get("name") or slack_user_id
    return SlackProfile(
        email=str(profile.get("email") or "").strip().lower(),
        name=str(name)[:200],
        is_bot=bool(user.get("is_bot")),
    )


@dataclass(frozen=True)
class FetchedFile:
    data: bytes | None  # None: linked only, ``note`` says why
    note: str = ""
    size: int = 0
    permalink: str = ""
    name: str = ""
    mimetype: str = ""
    file_id: str = ""


def _same_site(url: str) -> bool:
    """The bot token goes only to Slack: the API's host or a host under it (files.slack.com)."""
    api = urlsplit(str(settings.LIFEBUOY_SLACK_API_URL))
    target = urlsplit(url)
    api_host = (api.hostname or "").removeprefix("api.")
    host = target.hostname or ""
    return target.scheme in ("https", api.scheme) and (
        host == api_host or host.endswith(f".{api_host}") or host == api.hostname
    )


def file_fetch(shared: dict[str, Any], *, limit: int) -> FetchedFile:
    """A shared file's bytes through ``files.info`` and its private download URL, within
    ``limit`` bytes; otherwise the link and the reason it stays a link."""
    link = FetchedFile(
        data=None,
        permalink=str(shared.get("permalink") or ""),
        name=str(shared.get("name") or shared.get("title") or "file")[:255],
        mimetype=str(shared.get("mimetype") or "")[:100],
        size=int(shared.get("size") or 0),
        file_id=str(shared.get("id") or "")[:32],
    )
    if not settings.LIFEBUOY_SLACK_BOT_TOKEN:
        return _note(link, "no bot token")
    try:
        info: dict[str, Any] = (
            web_client().files_info(file=str(shared.get("id", ""))).get("file") or {}
        )
    except SlackApiError as exc:
        error = exc.response.get("error")
        reason = "the bot token lacks files:read" if error == "missing_scope" else str(error)
        return _note(link, reason)
    except OSError as exc:
        return _note(link, f"files.info failed: {type(exc).__name__}")
    merged = FetchedFile(
        data=None,
        permalink=str(info.get("permalink") or link.permalink),
        name=str(info.get("name") or link.name)[:255],
        mimetype=str(info.get("mimetype") or link.mimetype)[:100],
        size=int(info.get("size") or link.size),
        file_id=link.file_id,
    )
    if merged.size > limit:
        return _note(merged, f"over the {limit // (1024 * 1024)} MB limit")
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    if not url or not _same_site(url):
        return _note(merged, "no download link from Slack")
    return _download(merged, url, limit)


def _note(fetched: FetchedFile, note: str) -> FetchedFile:
    return FetchedFile(
        data=None,
        note=note,
        size=fetched.size,
        permalink=fetched.permalink,
        name=fetched.name,
        mimetype=fetched.mimetype,
        file_id=fetched.file_id,
    )


def _download(fetched: FetchedFile, url: str, limit: int) -> FetchedFile:
    request = urllib.request.Request(  # noqa: S310  # scheme and host checked by _same_site
        url, headers={"Authorization": f"Bearer {settings.LIFEBUOY_SLACK_BOT_TOKEN}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # idem
            data = response.read(limit + 1)
    except (urllib.error.URLError, OSError) as exc:
        return _note(fetched, f"download failed: {type(exc).__name__}")
    if len(data) > limit:
        return _note(fetched, f"over the {limit // (1024 * 1024)} MB limit")
    return FetchedFile(
        data=data,
        size=len(data),
        permalink=fetched.permalink,
        name=fetched.name,
        mimetype=fetched.mimetype,
        file_id=fetched.file_id,
    )
