"""allauth adapter: Hamkke's rules for sign-up and log-in."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Keep the public display name given at sign-up (CitizenSignupForm), spaces tidied."""
        name = form.cleaned_data.get("display_name", "") if hasattr(form, "cleaned_data") else ""
        user.display_name = " ".join(str(name or "").split())[:80]
        return super().save_user(request, user, form, commit=commit)
