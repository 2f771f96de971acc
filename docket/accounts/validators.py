"""Password validators with our own Chinese text where Django's catalogue has none.

Django 5.2's zh-Hans catalogue lacks the reworded minimum-length message, so Chinese users would read it
in English; the rule itself is Django's.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return gettext("密码太短，至少需要 {n} 个字符。").format(n=self.min_length)

    def get_help_text(self) -> str:
        return gettext("密码至少需要 {n} 个字符。").format(n=self.min_length)
