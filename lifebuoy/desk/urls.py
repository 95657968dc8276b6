from django.urls import path

from . import views

app_name = "desk"
urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("views/counts/", views.view_counts_view, name="view_counts"),
    path("bulk/", views.bulk_update_view, name="bulk"),
    path("merge/", views.merge_view, name="merge"),
    path("search/", views.search_view, name="search"),
    path("views/", views.saved_view_list_view, name="saved_views"),
    path("views/save/", views.saved_view_create_view, name="saved_view_create"),
    path("views/<str:view_id>/", views.saved_view_change_view, name="saved_view_change"),
    path("reply/preview/", views.reply_preview_view, name="reply_preview"),
    path("tickets/new/", views.ticket_create_view, name="create"),
    path("tickets/<int:ticket_id>/", views.ticket_detail_view, name="detail"),
    path("tickets/<int:ticket_id>/reply/", views.ticket_reply_view, name="reply"),
    path("tickets/<int:ticket_id>/update/", views.ticket_update_view, name="update"),
    path("tickets/<int:ticket_id>/presence/", views.ticket_presence_view, name="presence"),
]
