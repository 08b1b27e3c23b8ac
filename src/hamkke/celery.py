"""The Celery application. With CELERY_BROKER_URL unset, tasks run inline (always eager).
Beat's schedule is what the apps declare (core/service_app.py: `periodic_tasks`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hamkke.settings")
app = Celery("hamkke")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule_periodic_tasks(sender: Celery, **kwargs) -> None:
    # After finalize the Django apps are loaded, so their declarations can be read.
    from hamkke.core.service_app import beat_schedule

    sender.conf.beat_schedule = beat_schedule()
