"""App config for accounts: citizens, officials, roles and identity verification."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hamkke.accounts"
    label = "accounts"
    verbose_name = "Accounts"
