"""allauth adapter: Hamkke's rules for sign-up and log-in."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    pass
