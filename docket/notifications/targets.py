"""Where outbound HTTP may go (webhook endpoints, WeCom robots): docs/webhooks.md, "Allowed targets".

An address entered by an administrator is still a way into the internal network (SSRF): Docket would POST
signed JSON to whatever it names and keep the answer in the delivery log. So a target must be

- `https://` — plain `http://` only when `DOCKET_WEBHOOK_ALLOW_HTTP` is on (an intranet without TLS,
  the tests' local receiver);
- on a public address: every address the host name resolves to must be global. Loopback, private
  (10/8, 172.16/12, 192.168/16, fc00::/7), shared (100.64/10), link-local (169.254/16 — cloud metadata —
  and fe80::/10), multicast, reserved and unspecified addresses are refused unless the host name, the
  address, or a network containing it is listed in `DOCKET_WEBHOOK_ALLOWED_HOSTS`.

Checked when the endpoint or robot is saved (model `clean()`, so the admin form shows the reason; a name
that does not resolve yet is accepted there) and again before every delivery, since a name can resolve
elsewhere later (refused: given up at once; not resolving: retried). Known limit: the HTTP client
resolves the name once more when it connects, so a name that changes its answer between the two lookups
(DNS rebinding) is not caught; redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class TargetRefused(Exception):
    """The URL is not an allowed target; the message says why (Chinese, for the admin form)."""


class TargetUnresolved(TargetRefused):
    """The host name did not resolve (may be temporary at delivery time)."""


def _allowed_entries() -> tuple[set[str], list]:
    names: set[str] = set()
    networks = []
    for entry in getattr(settings, "DOCKET_WEBHOOK_ALLOWED_HOSTS", []) or []:
        entry = str(entry).strip().lower().strip("[]")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.rstrip("."))
    return names, networks


def _resolve(host: str, port: int) -> list:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetUnresolved(_("无法解析主机名“%(host)s”。") % {"host": host}) from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def _internal(ip) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return not ip.is_global or ip.is_multicast


def target_check(url: str) -> None:
    """Raise `TargetRefused` unless `url` is an allowed outbound target (see the module docstring)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(_("地址格式有误。")) from exc
    scheme = parts.scheme.lower()
    allow_http = bool(getattr(settings, "DOCKET_WEBHOOK_ALLOW_HTTP", False))
    if scheme != "https" and not (scheme == "http" and allow_http):
        raise TargetRefused(_("只允许 https:// 地址。"))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetRefused(_("地址缺少主机名。"))
    names, networks = _allowed_entries()
    if host in names:
        return
    for ip in _resolve(host, port or (443 if scheme == "https" else 80)):
        if _internal(ip) and not any(ip in net for net in networks if net.version == ip.version):
            raise TargetRefused(
                _(
                    "“%(host)s”指向内部地址 %(ip)s（本机、内网或链路本地），不允许作为推送地址；如确需推送到内网，请由管理员在 DOCKET_WEBHOOK_ALLOWED_HOSTS 中登记。"
                )
                % {"host": host, "ip": ip}
            )
