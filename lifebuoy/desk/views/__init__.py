"""The agent desk's pages, one module per page family."""

from .merge import merge_view
from .presence import ticket_presence_view
from .queue import bulk_update_view, queue_view, view_counts_view
from .saved import saved_view_change_view, saved_view_create_view, saved_view_list_view
from .search import search_view
from .tickets import (
    reply_preview_view,
    ticket_create_view,
    ticket_detail_view,
    ticket_reply_view,
    ticket_update_view,
)

__all__ = [
    "bulk_update_view",
    "merge_view",
    "queue_view",
    "reply_preview_view",
    "saved_view_change_view",
    "saved_view_create_view",
    "saved_view_list_view",
    "search_view",
    "ticket_create_view",
    "ticket_detail_view",
    "ticket_presence_view",
    "ticket_reply_view",
    "ticket_update_view",
    "view_counts_view",
]
