"""Sign-in pages: password (throttled), the two-step code for enrolled users, and two-step enrolment."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from docket.core import clock

from . import login_guard, services
from .forms import LoginForm, OtpForm, locked_message
from .models import User

PENDING = "docket_otp_pending"  # session key: the user who gave the right password, awaiting the code
PENDING_SECONDS = 300
LOGOUT_REASON = "docket_logout_reason"  # set by SessionTimeoutMiddleware, shown once on the login page


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["logout_reason"] = self.request.session.pop(LOGOUT_REASON, None)
        return ctx

    def form_valid(self, form):
        user = form.get_user()
        if services.otp_device_for(user) is None:
            login_guard.login_success_record(username=user.get_username())
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "uid": user.pk,
            "backend": user.backend,
            "at": clock.now().timestamp(),
        }
        next_url = self.get_redirect_url()
        return redirect(reverse("login_otp") + (f"?{urlencode({'next': next_url})}" if next_url else ""))


def login_otp(request):
    """Second step for users with a confirmed TOTP device: the code, throttled like the password."""
    pending = request.session.get(PENDING)
    if not pending or clock.now().timestamp() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return redirect("login")
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:  # deactivated meanwhile
        request.session.pop(PENDING, None)
        return redirect("login")
    next_url = request.POST.get("next") or request.GET.get("next", "")
    form, error = OtpForm(request.POST or None), None
    if request.method == "POST":
        address = login_guard.client_address(request)
        device = services.otp_device_for(user)
        until = login_guard.login_locked_until(username=user.get_username(), address=address)
        if until is None and form.is_valid() and device and device.verify_token(form.cleaned_data["token"]):
            del request.session[PENDING]
            auth_login(request, user, backend=pending["backend"])
            django_otp.login(request, device)
            login_guard.login_success_record(username=user.get_username())
            safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
            return redirect(next_url if safe and next_url else settings.LOGIN_REDIRECT_URL)
        if until is None:
            until = login_guard.login_failure_record(username=user.get_username(), address=address)
        error = (
            locked_message(until)
            if until
            else gettext("动态验证码不正确或已过期，请输入身份验证器当前显示的 6 位数字。")
        )
    ctx = {"form": form, "error": error, "next": next_url}
    return render(request, "registration/login_otp.html", ctx, status=200 if error is None else 422)


@login_required
def otp_setup(request):
    """Two-step sign-in for the signed-in user: enrol (QR code + a code to confirm) or switch it off."""
    form, error = OtpForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        token, turn_off = form.cleaned_data["token"], request.POST.get("op") == "disable"
        done = (services.otp_disable if turn_off else services.otp_enrolment_confirm)(
            user=request.user, token=token
        )
        if done:
            messages.success(
                request,
                gettext("已关闭两步验证。")
                if turn_off
                else gettext("两步验证已启用，下次登录时需要输入动态验证码。"),
            )
            return redirect("otp_setup")
        error = gettext("动态验证码不正确，请输入身份验证器当前显示的 6 位数字。")
    elif request.method == "POST":
        error = gettext("动态验证码是 6 位数字。")
    enabled = services.otp_device_for(request.user) is not None
    pending = None if enabled else services.otp_enrolment_start(user=request.user)
    ctx = {"form": form, "error": error, "enabled": enabled}
    if pending is not None:
        ctx |= {
            "qr": mark_safe(
                segno.make(pending.config_url, error="m").svg_inline(omitsize=True, border=2, dark="#000")
            ),  # noqa: S308 (our own SVG)
            "secret": " ".join(_chunks(b32encode(pending.bin_key).decode(), 4)),  # easier to type
        }
    return render(request, "accounts/otp_setup.html", ctx, status=200 if error is None else 422)


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]
