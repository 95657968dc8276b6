from django.urls import path

from . import views

app_name = "desk"
urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("views/counts/", views.view_counts_view, name="view_counts"),
    path("bulk/", views.bulk_update_view, name="bulk"),
    path("search/", views.search_view, name="search"),
    path("tickets/new/", views.ticket_create_view, name="create"),
    path("tickets/<int:ticket_id>/", views.ticket_detail_view, name="detail"),
    path("tickets/<int:ticket_id>/reply/", views.ticket_reply_view, name="reply"),
    path("tickets/<int:ticket_id>/update/", views.ticket_update_view, name="update"),
]
