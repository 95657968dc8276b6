"""The inbound mail log under /desk/inbound/ ("inbound"), included from config/urls.py."""

from django.urls import path

from . import views

app_name = "inbound"
urlpatterns = [
    path("", views.inbound_log_view, name="log"),
    path("<int:inbound_id>/raw/", views.inbound_raw_view, name="raw"),
]
