from django.apps import AppConfig


class SsoConfig(AppConfig):
    """Single sign-on: an organization's own OpenID Connect identity provider signs its people
    in, routed by the domain of their email address."""

    name = "lifebuoy.sso"
    label = "sso"
    verbose_name = "Single sign-on"
