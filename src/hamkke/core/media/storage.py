"""Where media are kept on object storage (HAMKKE_MEDIA_STORAGE=s3): private objects whose
address is a route of the site, which hands out a short-lived signed link only when the file
may be shown (core/media/views.py). Imported only when S3 is configured: django-storages and
boto3 are the optional `s3` extra."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """S3 storage with no public object: written without an ACL (the bucket's owner alone
    reads them; the bucket must block public access) and addressed through the site.

    `url()` is the site's own route (MEDIA_URL + name), exactly as on local disk, so the
    addresses pages, the API and Open311's `media_url` publish are the same on both backends
    and keep working while the file may be shown; S3's own links expire and would skip the
    check. `signed_url()` is for the route alone, after it decided the file may be shown."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        # Whatever the options say: no ACL header at all ("private" would be refused by
        # buckets that enforce the owner's rights, and "public-read" would defeat the route),
        # and links that carry a signature.
        self.default_acl = None
        self.querystring_auth = True
        if self.custom_domain and not self.cloudfront_signer:
            # A CDN domain without signing would hand out plain, permanent links.
            raise ImproperlyConfigured(
                "Private media on a custom domain need a CloudFront key to sign links."
            )

    def url(self, name, parameters=None, expire=None, http_method=None) -> str:
        return settings.MEDIA_URL + filepath_to_uri(name).lstrip("/")

    def signed_url(self, name: str, *, seconds: int, cache_control: str) -> str:
        """A link S3 honours for `seconds`, whose answer carries `cache_control` (so a hidden
        file shown to an official is kept by no browser or CDN)."""
        return super().url(name, parameters={"ResponseCacheControl": cache_control}, expire=seconds)
