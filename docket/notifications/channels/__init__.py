"""Delivery channels. Each takes a Notification, returns an `Outcome` for the delivery log and raises
`DeliveryError` (retried) or `PermanentError` (given up) on failure."""

from .base import DeliveryError, Outcome, PermanentError
from .simple import deliver_console, deliver_email
from .sms import deliver_sms
from .webhook import deliver_webhook
from .wecom import deliver_wecom

CHANNELS = {
    "console": deliver_console,
    "email": deliver_email,
    "sms": deliver_sms,
    "wecom": deliver_wecom,
    "webhook": deliver_webhook,
}

__all__ = ["CHANNELS", "DeliveryError", "Outcome", "PermanentError"]
