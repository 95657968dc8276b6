"""Notifications for staff: what happened on tickets a person owns, works, follows or was
mentioned on, shown in the desk (the bell and the notifications page) and emailed through the
outbox as each person prefers; who follows a ticket, and which customers are CC'd on it."""
