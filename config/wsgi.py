import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
application = get_wsgi_application()

# Load every page's and endpoint's code while the worker starts, rather than during the first
# request someone makes to it (about two seconds).
get_resolver().url_patterns  # noqa: B018
