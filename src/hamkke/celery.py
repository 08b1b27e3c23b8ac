"""The Celery application. With CELERY_BROKER_URL unset, tasks run inline (always eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hamkke.settings")
app = Celery("hamkke")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
