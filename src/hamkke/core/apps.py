"""App config for core: what every Hamkke service shares."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hamkke.core"
    label = "core"
    verbose_name = "Hamkke core"
