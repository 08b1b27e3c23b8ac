"""Accounts' rate limits (core/ratelimit.py's one idiom) on the requests that send codes or test
what a person knows (codes, register entries, passwords): per person and, more loosely, per
address. The services limit codes and wrong tries in the database as well; these limits stop
floods of requests before they reach it."""

from __future__ import annotations

from hamkke.core.ratelimit import Limit

SEND_CODE = Limit("accounts.send-code", per_person="5/h", per_address="30/h")
CHECK_CODE = Limit("accounts.check-code", per_person="10/m", per_address="60/m")
CENSUS = Limit("accounts.census", per_person="10/m", per_address="60/m")
PASSWORD = Limit("accounts.password", per_person="10/m", per_address="60/m")
