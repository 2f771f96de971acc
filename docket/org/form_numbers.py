"""Controlled-form numbers (受控表格编号) printed on the forms, configurable per company (seed part 2, issue
15). The seed's quality records list TJ**WY8.3-K01-F1 (处理表), TJ**WY7.2.3-K01-F1 (工作信息记录本) and
TJ**WY8.3-K01-F2 (分类及统计分析); "**" stands for the company's own code in the seed and is printed as the
company configures it (`Company.form_numbers`), else as the seed writes it."""

from __future__ import annotations

DEFAULTS: dict[str, str] = {
    "record_form": "TJ**WY8.3-K01-F1",
    "work_log": "TJ**WY7.2.3-K01-F1",
    "statistics": "TJ**WY8.3-K01-F2",
}


def form_number(company, form: str) -> str:
    """The number `company` prints on `form` (a key of DEFAULTS)."""
    configured = (getattr(company, "form_numbers", None) or {}).get(form)
    if isinstance(configured, str) and configured.strip():
        return configured.strip()[:60]
    return DEFAULTS[form]
