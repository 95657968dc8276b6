from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.ticket_list_view, name="list"),
    path("tickets/new/", views.ticket_create_view, name="create"),
    path("tickets/<int:ticket_id>/", views.ticket_detail_view, name="detail"),
    path("tickets/<int:ticket_id>/reply/", views.ticket_reply_view, name="reply"),
    path("tickets/<int:ticket_id>/confirm/", views.ticket_confirm_view, name="confirm"),
]
