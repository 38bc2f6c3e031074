"""Settings of the benchmark's django-helpdesk peer (bench/peer.sh; not part of Huiyin).

Production-minded where it matters for speed: DEBUG off (so Django's cached template loader is used),
persistent database connections (CONN_MAX_AGE), no per-request password hashing (token or session
auth). Everything else is django-helpdesk's and Django's default.
"""

import os
from pathlib import Path

SCRATCH = Path(os.environ.get("PEER_DIR", "/var/tmp/huiyin-peer"))
SECRET_KEY = "bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "helpdesk",
]
SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "helpdesk_peer.urls"
WSGI_APPLICATION = "helpdesk_peer.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if os.environ.get("PEER_DB", "pg") == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SCRATCH / "helpdesk_peer.sqlite3"),
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("PEER_PGDB", "helpdesk_peer"),
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": "5432",
            # One connection per worker thread kept for good, instead of one per request (Django's default),
            # and never recycled during a run (a closed backend would upset the CPU accounting).
            "CONN_MAX_AGE": None,
            "CONN_HEALTH_CHECKS": False,
        }
    }

REST_FRAMEWORK = {
    # django-helpdesk's API declares IsAdminUser itself; authentication as a deployment sets it:
    # a token in the Authorization header ("Bearer <key>", as Huiyin's client sends it), or the session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "helpdesk_peer.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = str(SCRATCH / "static")
MEDIA_ROOT = str(SCRATCH / "media")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Notifications are rendered as django-helpdesk always does; nothing is delivered.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@example.invalid"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HELPDESK_KB_ENABLED stays at its default (True): 2.6.1's urls.py fails with it off (NameError: kb)
HELPDESK_TEAMS_MODE_ENABLED = False  # teams need the optional pinax-teams app
LOGIN_URL = "/helpdesk/login/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
