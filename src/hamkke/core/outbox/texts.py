"""Text messages: the backend interface and the two backends Hamkke ships.

settings.HAMKKE_SMS_BACKEND names the backend class by dotted path. A production backend is a
class with the same `send(phone, text)` method, shipped in any installed package, for example::

    # mycity/sms.py
    class AligoSMSBackend(SMSBackend):
        def send(self, phone: str, text: str) -> None:
            response = requests.post(ALIGO_URL, data={...}, timeout=self.timeout)
            if response.status_code != 200:
                raise SMSDeliveryError(response.text)

and HAMKKE_SMS_BACKEND=mycity.sms.AligoSMSBackend in the environment. `send` receives the number
as the sender gave it (one-time codes in E.164 form, +821012345678). It must give up after
`self.timeout` seconds (settings.HAMKKE_SMS_TIMEOUT) and raise: the outbox (core/outbox) then
tries again later. It raises SMSDeliveryError when the gateway refuses the message, so a person
waiting for a one-time code is told at once to check the number.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string


class SMSDeliveryError(Exception):
    """The gateway did not take the message."""


class SMSBackend:
    """Sends one text message. Subclasses implement `send` and honour `timeout`, the seconds
    they may wait for their gateway before giving up."""

    def __init__(self, timeout: float | None = None):
        self.timeout = float(settings.HAMKKE_SMS_TIMEOUT if timeout is None else timeout)

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSMSBackend(SMSBackend):
    """Development: the message is written to the console (stderr) instead of a phone, as
    Django's console email backend does with mail."""

    def send(self, phone: str, text: str) -> None:
        sys.stderr.write(f"[SMS to {phone}] {text}\n")
        sys.stderr.flush()


@dataclass(frozen=True)
class SentMessage:
    phone: str
    text: str


class MemorySMSBackend(SMSBackend):
    """Tests: messages are kept in `MemorySMSBackend.outbox`, shared by all instances as
    Django's locmem mail backend does."""

    outbox: ClassVar[list[SentMessage]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append(SentMessage(phone=phone, text=text))


def get_sms_backend() -> SMSBackend:
    return import_string(settings.HAMKKE_SMS_BACKEND)()
