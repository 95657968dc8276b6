from django.urls import path

from . import colleagues, views

app_name = "portal"
urlpatterns = [
    path("", views.ticket_list_view, name="list"),
    path("colleagues/", colleagues.colleagues_view, name="colleagues"),
    path("colleagues/ticket-access/", colleagues.ticket_access_view, name="ticket_access"),
    path("tickets/new/", views.ticket_create_view, name="create"),
    path("tickets/<int:ticket_id>/", views.ticket_detail_view, name="detail"),
    path("tickets/<int:ticket_id>/reply/", views.ticket_reply_view, name="reply"),
    path("tickets/<int:ticket_id>/confirm/", views.ticket_confirm_view, name="confirm"),
    path("tickets/<int:ticket_id>/reopen/", views.ticket_reopen_view, name="reopen"),
    path("tickets/<int:ticket_id>/ccs/", views.ticket_cc_add_view, name="cc_add"),
    path(
        "tickets/<int:ticket_id>/ccs/<int:user_id>/remove/",
        views.ticket_cc_remove_view,
        name="cc_remove",
    ),
]
