"""The desk's people page under /desk/people/ ("people"), included from config/urls.py; the
invitation link and the actions are in ``accounts.urls``."""

from django.urls import path

from . import views

app_name = "people"
urlpatterns = [path("", views.people_view, name="list")]
