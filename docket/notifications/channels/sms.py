"""SMS through a pluggable provider (settings `DOCKET_SMS_PROVIDER`).

A provider has one method, `send(phone, template_code, params, text) -> Outcome`, and raises
`DeliveryError` on failure. `console` (default) logs the message and appends one line to
`DOCKET_SMS_FILE`; `aliyun` calls Alibaba Cloud SMS (Dysmsapi `SendSms`, RPC-style signature). Any other
value is a dotted path to a provider class, built with no arguments.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from django.conf import settings
from django.utils.module_loading import import_string

from docket.core.text import mask_phone, one_line

from .base import DeliveryError, Outcome, PermanentError, post

log = logging.getLogger("docket.sms")


class SmsProvider(Protocol):
    def send(self, phone: str, template_code: str, params: dict, text: str) -> Outcome: ...


class ConsoleSmsProvider:
    """Development and intranet default: the log and a file, one JSON line per message. The phone is
    masked (138****5678) in both; the text stays readable (development one-time codes are read there)."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path if path is not None else getattr(settings, "DOCKET_SMS_FILE", "")

    def send(self, phone: str, template_code: str, params: dict, text: str) -> Outcome:
        log.info("[sms] %s %s %s", mask_phone(phone), template_code, text)
        if self.path:
            p = Path(self.path)
            p.parent.mkdir(parents=True, exist_ok=True)
            line = json.dumps(
                {
                    "at": datetime.now(UTC).isoformat(),
                    "phone": mask_phone(phone),
                    "template": template_code,
                    "params": params,
                    "text": text,
                },
                ensure_ascii=False,
            )
            with p.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
        return Outcome(excerpt=str(self.path))


def _enc(value: str) -> str:
    """Alibaba Cloud's percent-encoding: RFC 3986 unreserved characters kept, everything else %XX
    (space → %20, `*` → %2A, `~` kept)."""
    return quote(str(value), safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """Signature of an RPC-style Alibaba Cloud API call (SignatureMethod HMAC-SHA1, version 1.0):
    base64(HMAC-SHA1(secret + "&", METHOD + "&" + enc("/") + "&" + enc(canonical query)))."""
    canonical = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_enc('/')}&{_enc(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsProvider:
    """Alibaba Cloud SMS, Dysmsapi 2017-05-25 `SendSms`. A response `Code` other than "OK" (including
    throttling, `isv.BUSINESS_LIMIT_CONTROL`) is a failure and is retried by the outbox."""

    def __init__(
        self,
        *,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        sign_name: str | None = None,
        endpoint: str | None = None,
        region: str | None = None,
    ) -> None:
        cfg = getattr(settings, "DOCKET_SMS_ALIYUN", {})
        self.access_key_id = access_key_id or cfg.get("ACCESS_KEY_ID", "")
        self.access_key_secret = access_key_secret or cfg.get("ACCESS_KEY_SECRET", "")
        self.sign_name = sign_name or cfg.get("SIGN_NAME", "")
        self.endpoint = endpoint or cfg.get("ENDPOINT", "https://dysmsapi.aliyuncs.com/")
        self.region = region or cfg.get("REGION", "cn-hangzhou")

    def request_params(self, phone: str, template_code: str, params: dict) -> dict[str, str]:
        p = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": self.region,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(
                {k: str(v) for k, v in params.items()}, ensure_ascii=False, separators=(",", ":")
            ),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        p["Signature"] = aliyun_signature(p, self.access_key_secret, "POST")
        return p

    def send(self, phone: str, template_code: str, params: dict, text: str) -> Outcome:
        if not (self.access_key_id and self.access_key_secret and self.sign_name):
            raise PermanentError("aliyun sms not configured")
        r = post(self.endpoint, data=self.request_params(phone, template_code, params))
        excerpt = r.text[:500]
        try:
            answer = r.json()
        except ValueError:
            raise DeliveryError(
                f"HTTP {r.status_code}: not JSON", status_code=r.status_code, excerpt=excerpt
            ) from None
        code = answer.get("Code") if isinstance(answer, dict) else None
        if code != "OK":
            raise DeliveryError(
                f"aliyun {code}: {answer.get('Message', '') if isinstance(answer, dict) else ''}",
                status_code=r.status_code,
                excerpt=excerpt,
            )
        return Outcome(status_code=r.status_code, excerpt=excerpt)


PROVIDERS = {"console": ConsoleSmsProvider, "aliyun": AliyunSmsProvider}


def provider() -> SmsProvider:
    name = getattr(settings, "DOCKET_SMS_PROVIDER", "console") or "console"
    cls = PROVIDERS.get(name) or import_string(name)
    return cls()


def deliver_sms(n) -> Outcome:
    phone = n.address or (n.recipient.phone if n.recipient_id else "")
    if not phone:
        raise PermanentError("no phone number")
    data = n.data or {}
    template = data.get("template") or getattr(settings, "DOCKET_SMS_TEMPLATES", {}).get("notice", "")
    # Template parameters are single-line fields for the provider (Aliyun refuses line breaks in them).
    params = data.get("params") or {"subject": one_line(n.subject)[:30]}
    params = {k: one_line(str(v)) for k, v in params.items()}
    return provider().send(phone, template, params, n.body or n.subject)
