from django.urls import path

from . import views

app_name = "macros"
urlpatterns = [
    path("", views.macro_list_view, name="list"),
    path("new/", views.macro_create_view, name="create"),
    path("<int:macro_id>/", views.macro_edit_view, name="edit"),
    path("<int:macro_id>/move/", views.macro_move_view, name="move"),
    path("<int:macro_id>/delete/", views.macro_delete_view, name="delete"),
]
