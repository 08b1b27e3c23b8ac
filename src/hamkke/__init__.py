"""Hamkke (함께): an open-source e-government platform for a whole city."""

from .celery import app as celery_app

__all__ = ["celery_app"]
