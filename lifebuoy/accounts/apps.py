from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lifebuoy.accounts"
    label = "accounts"
    verbose_name = "Organizations and people"
