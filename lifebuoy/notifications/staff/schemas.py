from __future__ import annotations

from datetime import datetime

from ninja import Schema


class WatcherOut(Schema):
    """A follower of a ticket, or a customer CC'd on it."""

    id: int
    name: str
    email: str


class NotificationOut(Schema):
    id: int
    kind: str
    ticket_id: int
    ticket_number: str
    actor: str | None
    text: str
    excerpt: str
    created_at: datetime
    read_at: datetime | None
    url: str


class ReadAllOut(Schema):
    marked: int


class MentionCandidateOut(Schema):
    id: int
    name: str
    handle: str
    insert: str


class FollowOut(Schema):
    following: bool
    followers: list[WatcherOut]


class CcIn(Schema):
    email: str


class PreferencesOut(Schema):
    choices: dict[str, str]


class PreferencesIn(Schema):
    choices: dict[str, str]
