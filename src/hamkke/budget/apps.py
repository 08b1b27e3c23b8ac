"""App config for budget: participatory budgeting."""

from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "hamkke.budget"
    label = "budget"
    verbose_name = "Participatory budgeting"
