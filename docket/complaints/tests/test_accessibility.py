"""Accessibility of the staff pages (issue 14): every field with an error is aria-invalid and described by
its error, radio groups are fieldsets with legends (one shared field rendering), the skip link, and text
contrast of the main stylesheet's colour pairs (WCAG 2.x, ≥ 4.5:1)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from conftest import make_complaint
from docket.complaints import workflow
from docket.complaints.forms import ACTION_FORMS


class Page(HTMLParser):
    """The elements of a page with their attributes and their fieldset/legend ancestry."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.controls: list[tuple[str, dict, tuple]] = []  # (tag, attrs, enclosing fieldsets' legends)
        self.stack: list[dict] = []  # open fieldsets: {"legend": text}
        self.in_legend = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "fieldset":
            self.stack.append({"legend": ""})
        elif tag == "legend":
            self.in_legend = True
        elif tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append((tag, a, tuple(f["legend"] for f in self.stack)))

    def handle_endtag(self, tag):
        if tag == "fieldset" and self.stack:
            self.stack.pop()
        elif tag == "legend":
            self.in_legend = False

    def handle_data(self, data):
        if self.in_legend and self.stack:
            self.stack[-1]["legend"] += data.strip()


def check_page(html: str) -> Page:
    page = Page(html)
    for tag, a, legends in page.controls:
        name = a.get("name", "")
        if a.get("aria-invalid") == "true" and a.get("type") != "radio":
            described = a.get("aria-describedby", "").split()
            assert described, f"{tag} {name}: aria-invalid without aria-describedby"
            assert all(i in page.ids for i in described), f"{name}: describedby {described} missing"
            assert any(i.endswith("_error") for i in described), f"{name}: not described by its error"
        if a.get("type") == "radio":
            assert legends and legends[-1], f"radio {name} is not in a fieldset with a legend"
    return page


def _errors_in(html: str) -> int:
    return len(re.findall(r'class="error-text" id="[^"]+_error"', html))


def test_every_action_form_marks_and_describes_its_errors(org):
    """Each action's form, submitted empty, renders through the shared field template: every field with
    an error is aria-invalid and points at the error's id; radio groups sit in fieldsets with legends."""
    c = make_complaint(org)
    user = org.a.users["office_manager"]
    request = RequestFactory().get("/")
    request.user = user
    checked = 0
    for action, form_class in ACTION_FORMS.items():
        form = form_class({"version": "x"}, complaint=c, user=user)
        form.is_valid()
        html = render_to_string(
            "complaints/_action_form.html",
            {"c": c, "form": form, "spec": workflow.ACTIONS[action], "request": request},
            request=request,
        )
        check_page(html)
        invalid = [f for f in form.visible_fields() if f.errors]
        assert _errors_in(html) == len(invalid), action
        for f in invalid:
            if getattr(f.field.widget, "input_type", "") != "radio":
                assert f'aria-describedby="{f.auto_id}_error' in html or f"{f.auto_id}_error" in html, action
                assert 'aria-invalid="true"' in html, action
            else:
                assert re.search(rf'<fieldset[^>]*aria-describedby="[^"]*{f.auto_id}_error', html), action
        checked += len(invalid)
    assert checked > 20  # the empty forms had plenty of errors to check


def test_intake_page_errors_and_radio_groups(client, org):
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:new")).content.decode()
    page = check_page(html)
    assert any(t == "input" and a.get("name") == "kind" and legends for t, a, legends in page.controls)
    r = client.post(reverse("complaints:new"), {"office": org.a.office.id, "complainant_phone": "1390000"})
    html = r.content.decode()
    assert r.status_code == 422
    check_page(html)
    assert 'id="id_complainant_phone_error"' in html
    assert re.search(r'<input[^>]*name="complainant_phone"[^>]*aria-invalid="true"', html)
    assert re.search(r'<input[^>]*name="subject"[^>]*aria-describedby="id_subject_error"', html)


def test_skip_link_and_main_target(client, org):
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:work")).content.decode()
    assert re.search(r'<body>\s*<a class="skip-link" href="#main">跳到主要内容</a>', html)
    assert '<main id="main" tabindex="-1">' in html


# --- contrast ---------------------------------------------------------------------------------------
CSS = Path(__file__).resolve().parents[2] / "static" / "docket" / "docket.css"
PAGE_BACKGROUNDS = ("#fff", "var(--bg)")  # text without its own background sits on a card or the page
# Rules whose text sits on a background set by an enclosing rule, not by themselves.
CONTEXT_BACKGROUND = {
    ".topbar": "#0f2a47",
    ".topbar a, .topbar .link": "#0f2a47",
    "table.list th": "#eef2f7",
    ".btn:hover, .btn:focus": "var(--brand)",
}


# Rules that set a background only, inside a rule that sets light text (measured there).
INHERITS_LIGHT_TEXT: set[str] = set()


def _rules(css: str) -> list[tuple[str, dict[str, str]]]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        decls = {}
        for d in body.split(";"):
            if ":" in d:
                k, v = d.split(":", 1)
                decls[k.strip()] = v.strip().replace("!important", "").strip()
        out.append((" ".join(selector.split()), decls))
    return out


def _variables(rules) -> dict[str, str]:
    return {k: v for sel, d in rules if sel == ":root" for k, v in d.items() if k.startswith("--")}


def _colour(value: str, variables: dict[str, str]) -> tuple[float, float, float] | None:
    value = value.strip()
    m = re.fullmatch(r"var\((--[\w-]+)\)", value)
    if m:
        value = variables[m.group(1)]
    m = re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", value)
    if not m:
        return None  # inherit, none, gradients…: nothing to measure
    h = m.group(1)
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return tuple(int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _luminance(rgb) -> float:
    def lin(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg) -> float:
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _background(decls: dict[str, str]) -> str | None:
    for key in ("background-color", "background"):
        if key in decls:
            return decls[key].split()[0]
    return None


def text_pairs() -> list[tuple[str, str, str]]:
    """(selector, text colour, background) for every rule of the main stylesheet that sets a text colour:
    with its own background, else the enclosing one (CONTEXT_BACKGROUND), else both page backgrounds."""
    rules = _rules(CSS.read_text())
    pairs = []
    for selector, d in rules:
        if "color" not in d or selector == ":root":
            continue
        own = _background(d) or CONTEXT_BACKGROUND.get(selector)
        for bg in [own] if own else PAGE_BACKGROUNDS:
            pairs.append((selector, d["color"], bg))
    for selector, d in rules:  # a background without a text colour: the inherited body text sits on it
        own_bg = _background(d)
        if own_bg and "color" not in d and selector not in INHERITS_LIGHT_TEXT:
            pairs.append((selector, "var(--fg)", own_bg))
    # the page's own text and links
    pairs += [
        ("body", "var(--fg)", "var(--bg)"),
        ("a", "var(--brand)", "#fff"),
        ("a", "var(--brand)", "var(--bg)"),
    ]
    return pairs


def test_text_contrast_of_the_main_stylesheet_is_at_least_4_5():
    variables = _variables(_rules(CSS.read_text()))
    failing, measured = [], 0
    for selector, fg, bg in text_pairs():
        f, b = _colour(fg, variables), _colour(bg, variables)
        if f is None or b is None:
            continue
        measured += 1
        ratio = contrast(f, b)
        if ratio < 4.5:
            failing.append(f"{selector}: {fg} on {bg} = {ratio:.2f}")
    assert measured > 40
    assert not failing, "\n".join(failing)


@pytest.mark.parametrize(
    ("fg", "bg", "expected"), [("#000000", "#ffffff", 21.0), ("#777777", "#ffffff", 4.48)]
)
def test_contrast_formula(fg, bg, expected):
    v: dict[str, str] = {}
    assert contrast(_colour(fg, v), _colour(bg, v)) == pytest.approx(expected, abs=0.01)
