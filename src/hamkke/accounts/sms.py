"""Where deployments and tests name the text-message backends (HAMKKE_SMS_BACKEND=
hamkke.accounts.sms.…). The interface and the backends live with the outbox that sends every
text (core/outbox/texts.py, whose docstring shows how to write a backend); they are the same
classes under their old names."""

from hamkke.core.outbox.texts import (
    ConsoleSMSBackend,
    MemorySMSBackend,
    SentMessage,
    SMSBackend,
    SMSDeliveryError,
    get_sms_backend,
)

__all__ = [
    "ConsoleSMSBackend",
    "MemorySMSBackend",
    "SMSBackend",
    "SMSDeliveryError",
    "SentMessage",
    "get_sms_backend",
]
