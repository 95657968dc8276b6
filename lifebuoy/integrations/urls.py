from django.urls import path

from lifebuoy.integrations.discourse.views import discourse_webhook_view
from lifebuoy.integrations.github.views import github_webhook_view
from lifebuoy.integrations.slack.events_view import slack_events_view

app_name = "integrations"
urlpatterns = [
    path("github/webhook", github_webhook_view, name="github_webhook"),
    path("discourse/webhook", discourse_webhook_view, name="discourse_webhook"),
    path("slack/events", slack_events_view, name="slack_events"),
]
