"""WeCom (企业微信) group robot: POST {"msgtype": "markdown"|"text", …} to the robot's webhook URL. The
answer is JSON; `errcode` other than 0 (e.g. 45009, too many messages) is a failure and is retried."""

from __future__ import annotations

from docket.core.text import one_line

from .base import DeliveryError, Outcome, PermanentError, post, target_checked

LIMIT = 4000  # WeCom refuses markdown content over 4096 bytes; keep under it in characters × 1 for safety


def _trim(text: str) -> str:
    raw = text.encode()
    if len(raw) <= LIMIT:
        return text
    return raw[:LIMIT].decode(errors="ignore") + "…"


def robot_message(msgtype: str, subject: str, body: str) -> dict:
    subject = one_line(subject)  # the title line: a line break would split it from its bold markup
    if msgtype == "text":
        return {"msgtype": "text", "text": {"content": _trim(f"{subject}\n{body}")}}
    return {"msgtype": "markdown", "markdown": {"content": _trim(f"**{subject}**\n{body}")}}


def deliver_wecom(n) -> Outcome:
    from ..models import WeComRobot

    robot = WeComRobot.objects.filter(pk=n.target_id, active=True).first() if n.target_id else None
    url = robot.webhook_url if robot else n.address
    if not url:
        raise PermanentError("robot removed or inactive")
    r = post(
        target_checked(url), json=robot_message(robot.msgtype if robot else "markdown", n.subject, n.body)
    )
    excerpt = r.text[:500]
    try:
        answer = r.json()
    except ValueError:
        raise DeliveryError(
            f"HTTP {r.status_code}: not JSON", status_code=r.status_code, excerpt=excerpt
        ) from None
    if r.status_code != 200 or not isinstance(answer, dict) or answer.get("errcode") != 0:
        errcode = answer.get("errcode") if isinstance(answer, dict) else None
        raise DeliveryError(f"wecom errcode {errcode}", status_code=r.status_code, excerpt=excerpt)
    return Outcome(status_code=r.status_code, excerpt=excerpt)
