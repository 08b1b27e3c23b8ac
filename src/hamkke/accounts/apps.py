"""App configs: accounts (citizens, officials, roles, identity verification) and the admin
site that needs officials' second factor."""

from django.contrib.admin import apps as admin_apps

# The module, not its class: Django picks the one AppConfig class defined in apps.py.
from hamkke.core import service_app

# The parts of a person's data download that accounts and core hold (accounts/exports.py).
_EXPORTED = (
    "account",
    "identities",
    "memberships",
    "notifications",
    "notification_preferences",
    "comments",
    "comment_reports",
    "uploads",
    "official_actions",
)


class AccountsConfig(service_app.ServiceAppConfig):
    name = "hamkke.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    # Two configs live here; this one is what "hamkke.accounts" in INSTALLED_APPS means.
    default = True

    navigation = None
    urls = (service_app.UrlMount("me/", "hamkke.accounts.urls"),)
    api_routers = (service_app.ApiMount("/accounts", "hamkke.accounts.api.router"),)
    profile_section = None
    demo_seeder = "hamkke.accounts.demo.seed"
    notification_kinds = ()
    commentables = ()
    personal_data = tuple(
        service_app.PersonalDataPart(name, export=f"hamkke.accounts.exports.{name}")
        for name in _EXPORTED
    )
    media_owners = ()
    public_files = ()
    home_panels = ()
    importers = ()
    periodic_tasks = ()


class OfficialAdminConfig(admin_apps.AdminConfig):
    """Installed in place of "django.contrib.admin": `admin.site` becomes the back office that
    only staff signed in with their authenticator code may use."""

    default = False
    default_site = "hamkke.accounts.admin_site.OfficialAdminSite"
