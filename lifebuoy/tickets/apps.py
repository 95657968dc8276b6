from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "lifebuoy.tickets"
    label = "tickets"
