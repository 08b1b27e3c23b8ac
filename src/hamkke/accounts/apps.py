"""App configs: accounts (citizens, officials, roles, identity verification) and the admin
site that needs officials' second factor."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "hamkke.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    # Two configs live here; this one is what "hamkke.accounts" in INSTALLED_APPS means.
    default = True
    demo_seeder = "hamkke.accounts.demo.seed"

    def ready(self) -> None:
        from hamkke.accounts import exports
        from hamkke.accounts.personal_data import register_exporter

        for name, exporter in exports.BUILT_IN.items():
            register_exporter(name, exporter)


class OfficialAdminConfig(admin_apps.AdminConfig):
    """Installed in place of "django.contrib.admin": `admin.site` becomes the back office that
    only staff signed in with their authenticator code may use."""

    default = False
    default_site = "hamkke.accounts.admin_site.OfficialAdminSite"
