from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.template_list_view, name="list"),
    path("<slug:key>/", views.template_edit_view, name="edit"),
]
