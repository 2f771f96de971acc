"""Issues named in messages follow the language the message is shown in (issue 14: "raw and untranslated
text"; offers8 noticed English notes reading "问题1、问题2 is with the developer")."""

from django.utils import translation

from docket.complaints.models import issue_names
from docket.core.errors import DomainError


def test_issue_names_in_each_language():
    names = issue_names([1, 3])
    with translation.override("zh-hans"):
        assert str(names) == "问题1、问题3"
    with translation.override("en"):
        assert str(names) == "Issue 1, Issue 3"


def test_an_error_raised_in_chinese_is_shown_in_the_reader_language():
    with translation.override("zh-hans"):
        err = DomainError("measures_with_developer", issues=issue_names([2]))
        assert err.message.startswith("问题2已转地产处理")
    with translation.override("en"):
        assert err.message.startswith("Issue 2 is with the developer")
        assert "问题" not in err.message
