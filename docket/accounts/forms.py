"""Sign-in forms: the password form (throttled, docket/accounts/login_guard.py) and the two-step code."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from docket.core import clock

from . import login_guard


def locked_message(until: datetime) -> str:
    minutes = max(1, int((until - clock.now()).total_seconds() + 59) // 60)
    return gettext("登录失败次数过多，已暂停登录。请在 {time}（约 {minutes} 分钟后）再试。").format(
        time=timezone.localtime(until).strftime("%H:%M"), minutes=minutes
    )


class LoginForm(AuthenticationForm):
    """Django's sign-in form behind the throttle: refused while locked, every failure counted."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确，请重新输入。"),
        "inactive": _("该账号已停用。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = login_guard.client_address(self.request)
        until = login_guard.login_locked_until(username=username, address=address)
        if until is not None:
            raise ValidationError(locked_message(until), code="locked")
        try:
            return super().clean()
        except ValidationError:
            until = login_guard.login_failure_record(username=username, address=address)
            if until is not None:
                raise ValidationError(locked_message(until), code="locked") from None
            raise


class OtpForm(forms.Form):
    token = forms.CharField(
        label=_("动态验证码"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise ValidationError(_("动态验证码是 6 位数字。"))
        return token
