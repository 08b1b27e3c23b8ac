"""Citizens and officials: accounts, departmental roles, and verified identities."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    """Accounts are keyed by email; there is no username."""

    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    home_district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    banned_at = models.DateTimeField(null=True, blank=True)
    ban_reason = models.CharField(max_length=300, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    @property
    def public_name(self) -> str:
        """What other people see: never the email address."""
        return self.display_name or _("Citizen")

    def __str__(self) -> str:
        return self.email


class Role(models.IntegerChoices):
    """Officials' roles, each including the ones below it."""

    VIEWER = 10, _("viewer")
    HANDLER = 20, _("handler")
    MANAGER = 30, _("manager")
    ADMINISTRATOR = 40, _("administrator")


class Membership(models.Model):
    """An official's place in a department, with a role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(
        "core.Department", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.PositiveSmallIntegerField(choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="one_role_per_department")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department} · {self.get_role_display()}"


class VerificationMethod(models.TextChoices):
    PHONE = "phone", _("mobile phone one-time code")
    CENSUS = "census", _("residents register")


class VerifiedIdentity(models.Model):
    """Proof that an account belongs to one real person. The identity key is an HMAC of the
    phone number or the register entry, so the same person cannot verify two accounts and the
    raw number is not kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identities")
    method = models.CharField(max_length=16, choices=VerificationMethod.choices)
    identity_key = models.CharField(max_length=64)
    district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # From the residents register only (the birth date typed matched it): polls open to an age
    # range read it. A phone proves no age.
    birth_date = models.DateField(null=True, blank=True)
    verified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "verified identities"
        constraints = [
            models.UniqueConstraint(
                fields=["method", "identity_key"], name="identity_verifies_one_account"
            ),
            models.UniqueConstraint(fields=["user", "method"], name="one_identity_per_method"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_method_display()}"


class PhoneChallenge(models.Model):
    """A one-time code sent to a phone; tries are counted and a lock follows too many."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_challenges")
    phone_key = models.CharField(max_length=64)
    phone_hint = models.CharField(max_length=8, help_text="Last digits, to remind the person")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · …{self.phone_hint}"


class VerificationLock(models.Model):
    """A person's wrong verification tries, by any method. When they reach the limit,
    verification waits until `until` and the count starts again; tries older than the wait
    are forgotten."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="verification_lock")
    failures = models.PositiveSmallIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} · {self.failures} · {self.until or '-'}"


class CensusRecord(models.Model):
    """One resident from the register an administrator uploaded. Only keyed hashes are kept:
    the register itself stays with the city's residents office."""

    record_key = models.CharField(max_length=64, unique=True, help_text="HMAC of the resident id")
    match_key = models.CharField(
        max_length=64, db_index=True, help_text="HMAC of name, birth date and resident id"
    )
    district = models.ForeignKey("core.District", null=True, on_delete=models.SET_NULL)
    batch = models.CharField(max_length=64, help_text="Which upload brought the row")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.record_key[:12]}… · {self.batch}"
