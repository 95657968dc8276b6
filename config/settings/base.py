"""Settings shared by every environment; what differs per deployment comes from the environment."""

from __future__ import annotations

import os

import django_stubs_ext
from celery.schedules import crontab

from config.databases import database_from_env
from config.paths import BASE_DIR, data_dir_from_env

# Lets admin and queryset classes be subscripted for the type checker at run time.
django_stubs_ext.monkeypatch()

DATA_DIR = data_dir_from_env()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' Swagger UI from static files, not from a CDN
    "axes",
    "django_htmx",  # serves htmx itself from static files
    "lifebuoy.core",
    "lifebuoy.accounts",
    "lifebuoy.tickets",
    "lifebuoy.sla",
    "lifebuoy.desk",
    "lifebuoy.portal",
    "lifebuoy.kb",
    "lifebuoy.notifications",
    "lifebuoy.escalations",
    "lifebuoy.monitoring",
    "lifebuoy.reports",
    "lifebuoy.timetracking",
    "lifebuoy.surveys",
    "lifebuoy.macros",
    "lifebuoy.integrations.slack",
    "lifebuoy.sso",  # before allauth: its templates override allauth's
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "lifebuoy.core.api_lane.ApiTokenLaneMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lifebuoy.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "lifebuoy.accounts.middleware.TimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lifebuoy.core.middleware.RequestBodyMiddleware",
    "lifebuoy.core.middleware.ApiMethodNotAllowedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]
# API calls with a bearer token and no session cookie skip the browser's middleware
# (lifebuoy/core/api_lane.py): the same order, only what such a call needs.
LIFEBUOY_API_TOKEN_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lifebuoy.core.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "lifebuoy.core.middleware.RequestBodyMiddleware",
    "lifebuoy.core.middleware.ApiMethodNotAllowedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lifebuoy" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Plain inputs and labels are written in Python rather than by Django's widget templates (the
# same HTML, a fraction of the cost); see lifebuoy/core/form_renderer.py.
FORM_RENDERER = "lifebuoy.core.form_renderer.FormRenderer"

# DATABASE_URL, or the embedded SQLite file in the data directory (config/databases.py).
DATABASES = {"default": database_from_env(os.environ.get("DATABASE_URL"), DATA_DIR)}
# The statements every request sends are prepared once per PostgreSQL connection
# (lifebuoy/core/prepared.py); 0 for a pooler that cannot keep them (PgBouncer in transaction
# mode before 1.21).
LIFEBUOY_DB_PREPARE = env_bool("LIFEBUOY_DB_PREPARE", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Single sign-on (lifebuoy.sso): django-allauth only for organizations' OpenID Connect
# providers. Its local accounts, sign-up and emails stay off; Lifebuoy's own sign-in,
# invitations and password reset (through the outbox) do that.
ACCOUNT_ADAPTER = "lifebuoy.sso.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "lifebuoy.sso.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_EMAIL_NOTIFICATIONS = False
SOCIALACCOUNT_ONLY = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10

# Login throttling: lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("LIFEBUOY_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form names its email field "username"
AXES_USERNAME_CALLABLE = "lifebuoy.accounts.auth.axes_username"  # one count per address, any case
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Account links sent by email, each single-use: a password reset (Django's token), an
# invitation, a confirmation of a new sign-in address.
PASSWORD_RESET_TIMEOUT = 3600 * int(os.environ.get("LIFEBUOY_PASSWORD_RESET_HOURS", "2"))
LIFEBUOY_INVITATION_DAYS = int(os.environ.get("LIFEBUOY_INVITATION_DAYS", "7"))
LIFEBUOY_EMAIL_CHANGE_HOURS = int(os.environ.get("LIFEBUOY_EMAIL_CHANGE_HOURS", "24"))

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
# Sessions read from the shared cache, written through to the database: a page (and a ticket
# page's presence poll every 5 s) no longer costs a session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Attachments: the limit a single file may have, and the most a request may carry in memory.
LIFEBUOY_MAX_ATTACHMENT_BYTES = (
    int(os.environ.get("LIFEBUOY_MAX_ATTACHMENT_MB", "10")) * 1024 * 1024
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Resolved tickets with no activity for this many days are closed by the scheduler.
LIFEBUOY_AUTOCLOSE_DAYS = int(os.environ.get("LIFEBUOY_AUTOCLOSE_DAYS", "7"))
# A customer may reopen a resolved or closed ticket (by the button or a reply) for this many
# days after it was resolved; later, a reply opens a new ticket linked to the old one.
LIFEBUOY_REOPEN_DAYS = int(os.environ.get("LIFEBUOY_REOPEN_DAYS", "14"))
# Monitored deployments may name a path on this server (off: https:// and ssh:// only).
LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS = env_bool("LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS", False)
# Mirrors spread over K machines: deployment d is polled from the queue monitoring-<d mod K>
# (0: any worker polls any deployment; see lifebuoy/monitoring/routing.py and docs/deploy.md).
LIFEBUOY_MONITORING_PARTITIONS = int(os.environ.get("LIFEBUOY_MONITORING_PARTITIONS", "0"))
# A deployment whose repository could not be fetched for this long gets a problem and a ticket.
LIFEBUOY_MONITORING_UNREACHABLE_MINUTES = int(
    os.environ.get("LIFEBUOY_MONITORING_UNREACHABLE_MINUTES", "60")
)
LIFEBUOY_BASE_URL = os.environ.get("LIFEBUOY_BASE_URL", "http://127.0.0.1:8000")

# Celery: an embedded broker in a SQLite file of the data directory (lifebuoy/core/sqlite_broker.py)
# unless CELERY_BROKER_URL points at Redis. kombu's own transports stay available by their URLs.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "sqlite://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("sqlite"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"database": str(DATA_DIR / "broker.sqlite3")}
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message a worker took and never acknowledged (it was killed with tasks prefetched)
        # goes back to its queue after this long. Above every countdown a task is given (the
        # outbox leaves longer waits to its sweep), or a waiting task would run twice.
        "visibility_timeout": int(os.environ.get("LIFEBUOY_BROKER_VISIBILITY_SECONDS", "600")),
        # Publishing fails at once while Redis is down instead of retrying inside a request: the
        # work is in the database and the sweeps send it (lifebuoy/core/tasks.py).
        "max_retries": 0,
        "socket_connect_timeout": 2,
    }
elif CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir = DATA_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_PUBLISH_RETRY = False  # see "max_retries" above: a failed publish is the sweeps' work
# Workers keep their database connection between tasks as web processes do between requests
# (CONN_MAX_AGE, health checks: lifebuoy/core/worker_db.py); Celery's fix-up then closes it only
# every this many tasks, not around each one.
CELERY_DB_REUSE_MAX = 1000

# The cache holds the desk's view counts and who is viewing a ticket, so every web process and
# worker must share it: Redis when scaled out (LIFEBUOY_CACHE_URL, else the broker's Redis),
# files in the data directory on the embedded default.
LIFEBUOY_CACHE_URL = os.environ.get("LIFEBUOY_CACHE_URL", "")
if not LIFEBUOY_CACHE_URL and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    LIFEBUOY_CACHE_URL = CELERY_BROKER_URL
CACHES: dict[str, dict[str, object]] = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": LIFEBUOY_CACHE_URL,
            "KEY_PREFIX": "lifebuoy-cache",
        }
        if LIFEBUOY_CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "close-quiet-resolved-tickets": {
        "task": "lifebuoy.tickets.ticket_autoclose_sweep",
        "schedule": 15 * 60.0,
    },
    "kb-review-reminders": {
        "task": "lifebuoy.kb.kb_review_reminders_send",
        "schedule": 6 * 60 * 60.0,  # each article's owner hears at most once a day
    },
    "outbox-sweep": {
        "task": "lifebuoy.notifications.outbox_sweep",
        "schedule": 60.0,
    },
    "notification-digest": {
        "task": "lifebuoy.notifications.notification_digest_send",
        "schedule": crontab(minute=0),  # hourly: each person's digest of the hour just ended
    },
    "imap-poll": {
        "task": "lifebuoy.notifications.imap_poll",
        "schedule": 60.0,
    },
    "inbound-retry": {
        "task": "lifebuoy.notifications.inbound_retry",
        "schedule": 300.0,
    },
    "inbound-log-purge": {
        "task": "lifebuoy.notifications.inbound_log_purge",
        "schedule": 6 * 60 * 60.0,
    },
    "slack-event-retry": {
        "task": "lifebuoy.slack.slack_event_retry",
        "schedule": 60.0,
    },
    "escalation-rules-sweep": {
        "task": "lifebuoy.escalations.rules_sweep",
        "schedule": 10 * 60.0,
    },
    "escalation-followup-sweep": {
        "task": "lifebuoy.escalations.followup_sweep",
        "schedule": 5 * 60.0,
    },
    "oncall-page-sweep": {
        "task": "lifebuoy.escalations.page_sweep",
        "schedule": 30.0,
    },
    "sla-breach-scan": {
        "task": "lifebuoy.sla.sla_breach_scan",
        "schedule": float(os.environ.get("LIFEBUOY_SLA_SCAN_SECONDS", "60")),
    },
    "sla-events-redeliver": {
        "task": "lifebuoy.sla.sla_events_redeliver",
        "schedule": 60.0,
    },
    "monitoring-poll-due-deployments": {
        "task": "lifebuoy.monitoring.poll_due_deployments",
        "schedule": 60.0,  # each deployment is polled at its own interval (default hourly)
    },
    "weekly-report": {
        "task": "lifebuoy.reports.weekly_report_generate",
        "schedule": crontab(minute=0, hour=6, day_of_week="mon"),  # the ISO week just ended
    },
    "quarterly-business-reviews": {
        "task": "lifebuoy.reports.qbr_quarter_start_send",
        # the quarter just ended, to Premium and Managed Services organizations' contacts
        "schedule": crontab(minute=0, hour=7, day_of_month=1, month_of_year="1,4,7,10"),
    },
    "csat-survey-sweep": {
        "task": "lifebuoy.surveys.csat_sweep",
        "schedule": 15 * 60.0,
    },
    "nps-survey-sweep": {
        "task": "lifebuoy.surveys.nps_sweep",
        "schedule": crontab(minute=30),  # hourly: a new period's surveys go out in batches
    },
    "scheduler-heartbeat": {
        "task": "lifebuoy.core.scheduler_heartbeat",
        "schedule": 30.0,  # lifebuoy/core/heartbeats.py: silent after three missed
    },
    "idempotency-keys-purge": {
        "task": "lifebuoy.core.idempotency_keys_purge",
        "schedule": 60 * 60.0,  # the API's Idempotency-Keys are kept for 24 hours
    },
}
# The scheduler's sweeps have a queue of their own, served by a worker slot that bulk work never
# takes (lifebuoy/cli/workers.py), so a backlog of emails or polls never delays an SLA scan.
LIFEBUOY_PERIODIC_QUEUE = "periodic"
CELERY_TASK_ROUTES = [
    {entry["task"]: {"queue": LIFEBUOY_PERIODIC_QUEUE} for entry in CELERY_BEAT_SCHEDULE.values()},
    "lifebuoy.monitoring.routing.route_task",
]
# SLA clocks are flagged "at risk" once this share of their target is used.
LIFEBUOY_SLA_AT_RISK_SHARE = float(os.environ.get("LIFEBUOY_SLA_AT_RISK_SHARE", "0.75"))
# Escalations: open tickets a person holds before round robin skips them (unless set per person),
# and a resolved escalation's quiet days before its final notice, then the days until it closes.
LIFEBUOY_ESCALATION_CAPACITY = int(os.environ.get("LIFEBUOY_ESCALATION_CAPACITY", "10"))
LIFEBUOY_ESCALATION_QUIET_DAYS = int(os.environ.get("LIFEBUOY_ESCALATION_QUIET_DAYS", "3"))
LIFEBUOY_ESCALATION_FINAL_NOTICE_DAYS = int(
    os.environ.get("LIFEBUOY_ESCALATION_FINAL_NOTICE_DAYS", "2")
)
# Satisfaction surveys (docs/surveys.md): CSAT this long after a resolution, NPS once per
# contact and period (months, a divisor of 12), links valid for this many days.
LIFEBUOY_CSAT_ENABLED = env_bool("LIFEBUOY_CSAT_ENABLED", True)
LIFEBUOY_CSAT_DELAY_HOURS = float(os.environ.get("LIFEBUOY_CSAT_DELAY_HOURS", "24"))
LIFEBUOY_NPS_ENABLED = env_bool("LIFEBUOY_NPS_ENABLED", True)
LIFEBUOY_NPS_PERIOD_MONTHS = int(os.environ.get("LIFEBUOY_NPS_PERIOD_MONTHS", "3"))
LIFEBUOY_SURVEY_EXPIRY_DAYS = int(os.environ.get("LIFEBUOY_SURVEY_EXPIRY_DAYS", "14"))

# Customer communication. Email goes through Django's backend: SMTP when EMAIL_HOST is set,
# else the console (development). Inbound mail arrives through `lifebuoy mailgateway`.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
LIFEBUOY_SUPPORT_EMAIL = os.environ.get("LIFEBUOY_SUPPORT_EMAIL", "support@lifebuoy.test")
LIFEBUOY_SUPPORT_FROM = os.environ.get(
    "LIFEBUOY_SUPPORT_FROM", f"Dual Trinity Support <{LIFEBUOY_SUPPORT_EMAIL}>"
)
LIFEBUOY_NOTIFY_EMAIL = env_bool("LIFEBUOY_NOTIFY_EMAIL", True)
LIFEBUOY_SMTP_TIMEOUT = float(os.environ.get("LIFEBUOY_SMTP_TIMEOUT", "20"))
# Agents' files go along with their emailed replies up to this total; larger ones stay linked.
LIFEBUOY_EMAIL_ATTACHMENTS_MAX_BYTES = 15 * 1024 * 1024
# Outgoing webhooks may go to private, loopback and link-local addresses (an on-premises
# installation whose customers' tools share its network). Off by default: refused as SSRF.
LIFEBUOY_WEBHOOK_PRIVATE_TARGETS = env_bool("LIFEBUOY_WEBHOOK_PRIVATE_TARGETS", False)
LIFEBUOY_SLACK_WEBHOOK_URL = os.environ.get("LIFEBUOY_SLACK_WEBHOOK_URL", "")
# Or a bot token and a channel (used when no webhook URL is set).
LIFEBUOY_SLACK_BOT_TOKEN = os.environ.get("LIFEBUOY_SLACK_BOT_TOKEN", "")
LIFEBUOY_SLACK_CHANNEL = os.environ.get("LIFEBUOY_SLACK_CHANNEL", "")
LIFEBUOY_SLACK_API_URL = os.environ.get("LIFEBUOY_SLACK_API_URL", "https://slack.com/api/")
# Slack Connect as a support channel (docs/slack.md): the app's signing secret verifies every
# Events API request; the app-level token (xapp-…) is for Socket Mode, without a public URL.
LIFEBUOY_SLACK_SIGNING_SECRET = os.environ.get("LIFEBUOY_SLACK_SIGNING_SECRET", "")
LIFEBUOY_SLACK_APP_TOKEN = os.environ.get("LIFEBUOY_SLACK_APP_TOKEN", "")
# The outbox: attempts per delivery, exponential backoff from base to cap (seconds), and how
# long a claim may last before the sweep assumes its worker died (above the task time limit).
LIFEBUOY_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("LIFEBUOY_OUTBOX_MAX_ATTEMPTS", "12"))
LIFEBUOY_OUTBOX_BACKOFF_SECONDS = float(os.environ.get("LIFEBUOY_OUTBOX_BACKOFF_SECONDS", "30"))
LIFEBUOY_OUTBOX_BACKOFF_CAP_SECONDS = 3600.0
LIFEBUOY_OUTBOX_CLAIM_TIMEOUT = 300.0
# Inbound mail: where the gateway listens, what happens to unknown senders ("community" files
# them under a no-organization Community bucket, "reject" refuses them), and size limits.
LIFEBUOY_MAILGATEWAY_HOST = os.environ.get("LIFEBUOY_MAILGATEWAY_HOST", "127.0.0.1")
LIFEBUOY_MAILGATEWAY_PORT = int(os.environ.get("LIFEBUOY_MAILGATEWAY_PORT", "2525"))
# Recipient domains the gateway accepts mail for (others are refused at RCPT).
LIFEBUOY_MAILGATEWAY_DOMAINS = env_list(
    "LIFEBUOY_MAILGATEWAY_DOMAINS", LIFEBUOY_SUPPORT_EMAIL.rpartition("@")[2]
)
LIFEBUOY_MAILGATEWAY_WORKERS = int(os.environ.get("LIFEBUOY_MAILGATEWAY_WORKERS", "1"))
LIFEBUOY_INBOUND_UNKNOWN_SENDERS = os.environ.get("LIFEBUOY_INBOUND_UNKNOWN_SENDERS", "community")
LIFEBUOY_INBOUND_MAX_MESSAGE_BYTES = 40 * 1024 * 1024
# The authserv-id of the receiving mail server whose Authentication-Results header is trusted
# (DMARC / aligned DKIM). Empty: no mail proves its sender (staff mail becomes internal notes).
LIFEBUOY_INBOUND_TRUSTED_AUTHSERV_ID = os.environ.get("LIFEBUOY_INBOUND_TRUSTED_AUTHSERV_ID", "")
# Refused, ignored and duplicate mail stays downloadable from the inbound log this long.
LIFEBUOY_INBOUND_LOG_DAYS = int(os.environ.get("LIFEBUOY_INBOUND_LOG_DAYS", "30"))
LIFEBUOY_INBOUND_MAX_TICKETS_PER_SENDER_HOUR = int(
    os.environ.get("LIFEBUOY_INBOUND_MAX_TICKETS_PER_SENDER_HOUR", "20")
)
# GitHub issues and Discourse topics mirrored as tickets (see README, "Email, Slack and webhooks").
LIFEBUOY_GITHUB_WEBHOOK_SECRET = os.environ.get("LIFEBUOY_GITHUB_WEBHOOK_SECRET", "")
LIFEBUOY_GITHUB_REPOSITORIES = env_list("LIFEBUOY_GITHUB_REPOSITORIES", "")
LIFEBUOY_GITHUB_TOKEN = os.environ.get("LIFEBUOY_GITHUB_TOKEN", "")
LIFEBUOY_GITHUB_API_URL = os.environ.get("LIFEBUOY_GITHUB_API_URL", "https://api.github.com")
LIFEBUOY_DISCOURSE_WEBHOOK_SECRET = os.environ.get("LIFEBUOY_DISCOURSE_WEBHOOK_SECRET", "")
LIFEBUOY_DISCOURSE_URL = os.environ.get("LIFEBUOY_DISCOURSE_URL", "")
LIFEBUOY_DISCOURSE_CATEGORIES = [
    int(c) for c in env_list("LIFEBUOY_DISCOURSE_CATEGORIES", "") if c.isdigit()
]
# An IMAP mailbox polled every minute (hosted mailboxes that cannot forward to the gateway).
LIFEBUOY_IMAP_HOST = os.environ.get("LIFEBUOY_IMAP_HOST", "")
LIFEBUOY_IMAP_PORT = int(os.environ.get("LIFEBUOY_IMAP_PORT", "993"))
LIFEBUOY_IMAP_USER = os.environ.get("LIFEBUOY_IMAP_USER", "")
LIFEBUOY_IMAP_PASSWORD = os.environ.get("LIFEBUOY_IMAP_PASSWORD", "")
LIFEBUOY_IMAP_SSL = env_bool("LIFEBUOY_IMAP_SSL", True)
LIFEBUOY_IMAP_FOLDER = os.environ.get("LIFEBUOY_IMAP_FOLDER", "INBOX")
LIFEBUOY_IMAP_DELETE = env_bool("LIFEBUOY_IMAP_DELETE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Tokens, passwords, secrets and session ids are replaced in every record before it is
    # written (lifebuoy/core/redaction.py; docs/security.md, "Logs").
    "filters": {"redact_secrets": {"()": "lifebuoy.core.redaction.RedactSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
