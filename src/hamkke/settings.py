"""The one settings module: every deployment choice is read from the environment.

Unset variables fall back to the embedded default (SQLite, media on local disk, local-memory
cache, tasks run inline), so `hamkke demo` needs no server at all.
"""

import os
import secrets
import tomllib
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("HAMKKE_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """A deployment sets HAMKKE_SECRET_KEY; a demo keeps a generated key in its data folder so
    sessions survive a restart and several local processes agree on it."""
    if key := os.environ.get("HAMKKE_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# --- the city this site serves -------------------------------------------------------------
HAMKKE_CITY = os.environ.get("HAMKKE_CITY", "seoul")
HAMKKE_CITIES_DIR = Path(os.environ.get("HAMKKE_CITIES_DIR", PACKAGE_DIR / "cities"))


def _city_basics(slug: str) -> dict:
    """Language and time zone are needed before Django starts; the full profile is validated
    and loaded by `hamkke city load`."""
    path = HAMKKE_CITIES_DIR / slug / "profile.toml"
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle).get("city", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}


_CITY = _city_basics(HAMKKE_CITY)

# --- core Django -------------------------------------------------------------------------------
SECRET_KEY = _secret_key()
DEBUG = _env_bool("HAMKKE_DEBUG", False)
# The public address, for links in emails (which have no request to take the host from).
HAMKKE_SITE_URL = os.environ.get("HAMKKE_SITE_URL", "http://127.0.0.1:8000")
ALLOWED_HOSTS = _env_list("HAMKKE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = _env_list("HAMKKE_CSRF_TRUSTED_ORIGINS", "")
SITE_ID = 1

INSTALLED_APPS = [
    # The admin site that asks staff for their second factor (accounts/admin_site.py).
    "hamkke.accounts.apps.OfficialAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before allauth, so accounts' templates restyle allauth's pages.
    "hamkke.accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_ratelimit",
    "hamkke.core",
    "hamkke.complaints",
    "hamkke.budget",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Caps bodies and refuses NUL characters before anything reads them; answers errors in the
    # path's format (JSON under /api/, Open311's under /open311/), so it wraps all but the above.
    "hamkke.core.web.hostile.HostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hamkke.core.middleware.CityLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hamkke.core.actors.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "hamkke.urls"
WSGI_APPLICATION = "hamkke.wsgi.application"
ASGI_APPLICATION = "hamkke.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hamkke.core.context_processors.city",
            ],
        },
    },
]

# --- data --------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'hamkke.sqlite3'}",
        conn_max_age=int(os.environ.get("HAMKKE_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; IMMEDIATE avoids "database is locked"
    # when two requests upgrade a read transaction to a write at the same moment.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The local-memory cache is per process; rate limits are then per process too, which
    # is right for the one-process demo. Deployments set REDIS_URL.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- background work ---------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# Celery beat's schedule is every app's declared `periodic_tasks` (core/service_app.py, set in
# celery.py once the apps are loaded).

MQTT_URL = os.environ.get("MQTT_URL", "")

# --- media and static --------------------------------------------------------------------------
MEDIA_ROOT = Path(os.environ.get("HAMKKE_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(os.environ.get("HAMKKE_STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
HAMKKE_MEDIA_STORAGE = os.environ.get("HAMKKE_MEDIA_STORAGE", "local")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, hashed names; the manifest is not required so tests need no collectstatic.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if HAMKKE_MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("HAMKKE_S3_BUCKET", "hamkke-media"),
            "endpoint_url": os.environ.get("HAMKKE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("HAMKKE_S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Upload limits (bytes and pixels). Requests above DATA_UPLOAD_MAX_MEMORY_SIZE spill to disk.
HAMKKE_MAX_PHOTO_BYTES = int(os.environ.get("HAMKKE_MAX_PHOTO_BYTES", 15 * 1024 * 1024))
HAMKKE_MAX_VIDEO_BYTES = int(os.environ.get("HAMKKE_MAX_VIDEO_BYTES", 100 * 1024 * 1024))
HAMKKE_MAX_VIDEO_SECONDS = int(os.environ.get("HAMKKE_MAX_VIDEO_SECONDS", 120))
HAMKKE_MAX_IMAGE_PIXELS = int(os.environ.get("HAMKKE_MAX_IMAGE_PIXELS", 40_000_000))
HAMKKE_PHOTO_MAX_SIDE = int(os.environ.get("HAMKKE_PHOTO_MAX_SIDE", 2048))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Above the 5 photos and 1 video a report may carry, so that the service, not the request
# parser, refuses a few too many with a clear message.
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Request bodies are refused (413) before they are read when over their cap: a form with files
# may carry the largest upload a report takes (five photos and a video) and its fields; any other
# body at most DATA_UPLOAD_MAX_MEMORY_SIZE, what Django reads into memory.
HAMKKE_MAX_UPLOAD_BODY_BYTES = int(
    os.environ.get(
        "HAMKKE_MAX_UPLOAD_BODY_BYTES",
        5 * HAMKKE_MAX_PHOTO_BYTES + HAMKKE_MAX_VIDEO_BYTES + 1024 * 1024,
    )
)
# An Open311 POST carrying its api_key in the body rather than the query string may be at most
# this large: a bigger one (with photos) sends the key in the query string, where it is checked
# before the body is read.
HAMKKE_OPEN311_KEYLESS_BODY_BYTES = int(
    os.environ.get("HAMKKE_OPEN311_KEYLESS_BODY_BYTES", 256 * 1024)
)

# --- accounts ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("HAMKKE_EMAIL_VERIFICATION", "optional")
ACCOUNT_PREVENT_ENUMERATION = False  # a taken email is told plainly at sign-up, as the issue asks
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "signup": "20/h/ip"}
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_FORMS = {"signup": "hamkke.accounts.forms.CitizenSignupForm"}
ACCOUNT_ADAPTER = "hamkke.accounts.adapter.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Hamkke"

# Identity verification
HAMKKE_SMS_BACKEND = os.environ.get("HAMKKE_SMS_BACKEND", "hamkke.accounts.sms.ConsoleSMSBackend")
HAMKKE_PHONE_COUNTRY_CODE = os.environ.get(
    "HAMKKE_PHONE_COUNTRY_CODE", str(_CITY.get("phone_country_code", "82"))
)
HAMKKE_OTP_TTL_SECONDS = 300
HAMKKE_OTP_MAX_ATTEMPTS = 5
HAMKKE_OTP_LOCK_SECONDS = 900

EMAIL_BACKEND = os.environ.get(
    "HAMKKE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("HAMKKE_FROM_EMAIL", "no-reply@hamkke.localhost")
if os.environ.get("HAMKKE_EMAIL_URL"):
    # smtp://user:pass@host:port — parsed here so deployments set one variable.
    from urllib.parse import unquote, urlparse

    _mail = urlparse(os.environ["HAMKKE_EMAIL_URL"])
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls"

# --- language and time -------------------------------------------------------------------------
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LANGUAGE_CODE = _CITY.get("default_language", "ko")
LANGUAGE_COOKIE_NAME = "hamkke_language"
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = _CITY.get("time_zone", "Asia/Seoul")

# --- security ----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("HAMKKE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if os.environ.get("HAMKKE_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
RATELIMIT_VIEW = "hamkke.core.ratelimit.rate_limited"
# Behind a load balancer the client address is in X-Forwarded-For; trust it only when told.
RATELIMIT_IP_META_KEY = (
    "HTTP_X_FORWARDED_FOR" if os.environ.get("HAMKKE_BEHIND_TLS_PROXY") else "REMOTE_ADDR"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HAMKKE_LOG_LEVEL", "WARNING")},
}

# --- complaints ------------------------------------------------------------------------------
# Reports a person or an app may file: generous for a real crowd behind one NAT, tight for a bot.
HAMKKE_COMMENTS_PER_MINUTE = int(os.environ.get("HAMKKE_COMMENTS_PER_MINUTE", 10))
HAMKKE_REPORTS_PER_MINUTE = int(os.environ.get("HAMKKE_REPORTS_PER_MINUTE", 20))
HAMKKE_COMPLAINT_RATE = os.environ.get("HAMKKE_COMPLAINT_RATE", "10/10m")
HAMKKE_OPEN311_APP_RATE = os.environ.get("HAMKKE_OPEN311_APP_RATE", "600/m")
HAMKKE_OPEN311_IP_RATE = os.environ.get("HAMKKE_OPEN311_IP_RATE", "120/m")

# --- finding places by name or address ---------------------------------------------------------
# The default searches the city profile's named places and needs no network. A deployment with a
# Nominatim server (its own, or one whose usage policy allows its traffic) sets
# HAMKKE_GEOCODER=hamkke.core.geocoding.NominatimGeocoder and HAMKKE_GEOCODER_URL.
HAMKKE_GEOCODER = os.environ.get("HAMKKE_GEOCODER") or "hamkke.core.geocoding.GazetteerGeocoder"
HAMKKE_GEOCODER_URL = (
    os.environ.get("HAMKKE_GEOCODER_URL") or "https://nominatim.openstreetmap.org/search"
)
