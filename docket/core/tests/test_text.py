from hypothesis import given
from hypothesis import strategies as st

from docket.core.text import one_line


def test_line_breaks_and_controls_collapse_to_one_space():
    assert one_line("水管漏水\r\n  三楼\n\n\t很急") == "水管漏水 三楼 很急"
    assert one_line("a\x00b\x1bc\x85d\u2028e\u2029f\x7fg") == "a b c d e f g"
    assert one_line("  前后空白\r\n") == "前后空白"
    assert one_line(None) == "" and one_line("") == ""


def test_ordinary_text_is_untouched():
    assert one_line("电梯 停运  两天（3号楼）") == "电梯 停运  两天（3号楼）"


@given(st.text())
def test_result_never_has_a_line_break(text):
    out = one_line(text)
    assert len(out.splitlines()) <= 1
    assert "\r" not in out and "\n" not in out
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in out)


def test_mask_phone():
    from docket.core.text import mask_phone

    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+8613812345678") == "+86****5678"
    assert mask_phone("12345") == "***45"
    assert mask_phone("") == ""
