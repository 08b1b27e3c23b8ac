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
    # For the templates of its views (the Plaza's sitemap.xml).
    "django.contrib.sitemaps",
    # Before allauth, so accounts' templates restyle allauth's pages.
    "hamkke.accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_ratelimit",
    "csp",
    "hamkke.core",
    "hamkke.complaints",
    "hamkke.budget",
    "hamkke.plaza",
    "hamkke.polls",
    "hamkke.ideas",
    "hamkke.places",
    "hamkke.iot",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
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
    "hamkke.accounts.middleware.SecondFactorMiddleware",
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
    _REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    CACHES = {"default": _REDIS, "ratelimit": _REDIS}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        # Page fragments and memos may differ per process for a moment: memory is fine.
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Rate limits must be counted by all worker processes together, or twelve wrong
        # passwords would alternate between allowed and refused: a cache on disk they share.
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "ratelimit-cache"),
        },
    }
    # django-ratelimit warns about any cache but memcached and Redis; on disk it is shared by
    # the processes of one machine, which is what the embedded default runs.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
RATELIMIT_USE_CACHE = "ratelimit"

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
    # Private objects addressed through the site: MEDIA_URL stays the public address, and the
    # route (core/media/views.py) redirects to a signed link only when the file may be shown.
    STORAGES["default"] = {
        "BACKEND": "hamkke.core.media.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("HAMKKE_S3_BUCKET", "hamkke-media"),
            "endpoint_url": os.environ.get("HAMKKE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("HAMKKE_S3_REGION") or None,
        },
    }
# How long a browser or a CDN may keep a public file: hiding it takes effect everywhere within
# this time (hidden files and their refusals are never kept). On S3, how long a signed link
# lives; a public redirect is kept for at most half of it.
HAMKKE_MEDIA_CACHE_SECONDS = int(os.environ.get("HAMKKE_MEDIA_CACHE_SECONDS", 300))
HAMKKE_MEDIA_SIGNED_SECONDS = int(os.environ.get("HAMKKE_MEDIA_SIGNED_SECONDS", 300))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Upload limits (bytes and pixels). Requests above DATA_UPLOAD_MAX_MEMORY_SIZE spill to disk.
HAMKKE_MAX_PHOTO_BYTES = int(os.environ.get("HAMKKE_MAX_PHOTO_BYTES", 15 * 1024 * 1024))
HAMKKE_MAX_VIDEO_BYTES = int(os.environ.get("HAMKKE_MAX_VIDEO_BYTES", 100 * 1024 * 1024))
HAMKKE_MAX_VIDEO_SECONDS = int(os.environ.get("HAMKKE_MAX_VIDEO_SECONDS", 120))
HAMKKE_PLAZA_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("HAMKKE_PLAZA_MAX_ATTACHMENT_BYTES", 50 * 1024 * 1024)
)
HAMKKE_MAX_IMAGE_PIXELS = int(os.environ.get("HAMKKE_MAX_IMAGE_PIXELS", 40_000_000))
HAMKKE_PHOTO_MAX_SIDE = int(os.environ.get("HAMKKE_PHOTO_MAX_SIDE", 2048))
# A registry file an official imports (core/imports): Seoul's WiFi file of 23,000 access
# points is about 6 MB.
HAMKKE_IMPORT_MAX_BYTES = int(os.environ.get("HAMKKE_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
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

# Every email goes through the outbox (core/outbox): queued in the sender's transaction, sent
# after the commit by the delivery backend below with a timeout, retried until it is accepted.
EMAIL_BACKEND = "hamkke.core.outbox.mail.OutboxEmailBackend"
HAMKKE_EMAIL_DELIVERY_BACKEND = os.environ.get(
    "HAMKKE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("HAMKKE_FROM_EMAIL", "no-reply@hamkke.localhost")
if os.environ.get("HAMKKE_EMAIL_URL"):
    # smtp://user:pass@host:port — parsed here so deployments set one variable.
    from urllib.parse import unquote, urlparse

    _mail = urlparse(os.environ["HAMKKE_EMAIL_URL"])
    HAMKKE_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls"
# Seconds a mail server or an SMS gateway may take to answer before the try counts as failed
# (inline, a request waits at most this long, once, for a backend that hangs).
HAMKKE_EMAIL_TIMEOUT = float(os.environ.get("HAMKKE_EMAIL_TIMEOUT", 5))
EMAIL_TIMEOUT = HAMKKE_EMAIL_TIMEOUT
HAMKKE_SMS_TIMEOUT = float(os.environ.get("HAMKKE_SMS_TIMEOUT", 5))
# Retries: the first after this many seconds, doubling up to an hour, at most this many tries.
HAMKKE_OUTBOX_RETRY_SECONDS = int(os.environ.get("HAMKKE_OUTBOX_RETRY_SECONDS", 60))
HAMKKE_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("HAMKKE_OUTBOX_MAX_ATTEMPTS", 10))
# A sender holds a message this long; if it dies mid-send the message is sent again after it.
HAMKKE_OUTBOX_LEASE_SECONDS = int(os.environ.get("HAMKKE_OUTBOX_LEASE_SECONDS", 300))
# After a failed inline delivery, a process leaves that channel to the retries this long.
HAMKKE_OUTBOX_PAUSE_SECONDS = int(os.environ.get("HAMKKE_OUTBOX_PAUSE_SECONDS", 60))
# Sent, expired or abandoned messages (content already erased) are deleted after this.
HAMKKE_OUTBOX_KEEP_DAYS = int(os.environ.get("HAMKKE_OUTBOX_KEEP_DAYS", 7))

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
BEHIND_TLS_PROXY = _env_bool("HAMKKE_BEHIND_TLS_PROXY", False)
# Behind the TLS proxy every request is HTTPS: cookies are secure unless said otherwise.
SESSION_COOKIE_SECURE = _env_bool("HAMKKE_SECURE_COOKIES", BEHIND_TLS_PROXY)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # The load balancer's health check may come over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("HAMKKE_HSTS_SECONDS", 365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("HAMKKE_HSTS_SUBDOMAINS", False)
# The proxies whose X-Forwarded-For hops are believed (core/actors.py): none unless behind the
# documented TLS proxy, then loopback and the private ranges a load balancer sits in.
HAMKKE_TRUSTED_PROXIES = [
    part.strip()
    for part in os.environ.get(
        "HAMKKE_TRUSTED_PROXIES",
        "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
        if BEHIND_TLS_PROXY
        else "",
    ).split(",")
    if part.strip()
]
RATELIMIT_VIEW = "hamkke.core.ratelimit.rate_limited"
# Rate limits and the audit log see the client by one rule: core.actors.client_address.
RATELIMIT_IP_META_KEY = "hamkke.core.actors.rate_limit_address"

# Content Security Policy (django-csp): scripts and styles only from the site itself, no inline
# code; images also from the map's tile server and the media origin (object storage or CDN).
HAMKKE_MAP_TILES = os.environ.get(
    "HAMKKE_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
HAMKKE_MAP_ATTRIBUTION = os.environ.get(
    "HAMKKE_MAP_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)


def _origin(url: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


HAMKKE_MEDIA_ORIGIN = os.environ.get("HAMKKE_MEDIA_ORIGIN", "")
_IMAGE_ORIGINS = [
    origin
    for origin in (
        _origin(HAMKKE_MAP_TILES),
        _origin(HAMKKE_MEDIA_ORIGIN),
        _origin(os.environ.get("HAMKKE_S3_ENDPOINT_URL", "")),
    )
    if origin
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *_IMAGE_ORIGINS],
        "media-src": ["'self'", "blob:", *_IMAGE_ORIGINS[1:]],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

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
# Budget ballots wait sealed in a pool's box until this many make a batch (core/ballots.py).
HAMKKE_BALLOT_BATCH = int(os.environ.get("HAMKKE_BALLOT_BATCH", 100))
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
