"""The English catalogue survives `makemessages`.

xgettext reads only literals passed straight to the gettext functions it knows. A message passed through a
variable or a helper (`_gettext(m, lang)`), written inside an f-string or under an alias (`_l`, `_t`) is
invisible to it: `makemessages -l en` would mark its entry obsolete (`#~`) and the English text would be lost
at the next compile. These tests run makemessages into a copy of the project (the source files it reads and
the committed locale/en/LC_MESSAGES/django.po, never the real locale directory) and check that

- every message of the committed catalogue is still extracted (none becomes obsolete);
- every extracted message has an English translation (not empty, not fuzzy);
- every literal the code passes to a gettext-like call is extracted (f-strings, aliases, helpers).

They need GNU gettext (xgettext, msgmerge), as makemessages and compilemessages do.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
CATALOGUE = Path("locale") / "en" / "LC_MESSAGES" / "django.po"
# What makemessages reads for the django domain (its default extensions), from every directory it walks
# (it skips hidden ones); var/ holds runtime data, not source.
EXTENSIONS = {".py", ".html", ".txt"}
SKIP_DIRS = {"locale", "var", "test-artifacts", "__pycache__", "node_modules"}
GETTEXT = ("xgettext", "msgmerge", "msgfmt")  # all three are Debian's `gettext` package
INSTALL = "sudo apt-get install -y gettext"


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def __str__(self) -> str:
        return repr(self.msgid) + (f" (context {self.msgctxt!r})" if self.msgctxt else "")


_KEYWORD = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$')


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file as msgmerge writes it (obsolete ones flagged; previous msgids skipped)."""
    entries = []
    for block in re.split(r"\n[ \t]*\n", text):
        entry, seen = Entry(), False
        part: tuple[str, int] | None = None  # the keyword being read and, for msgstr[n], n
        for line in block.splitlines():
            if line.startswith("#~"):
                entry.obsolete = True
                line = line[2:].lstrip()
                if line.startswith("|"):  # an obsolete entry's previous msgid
                    continue
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
                continue
            if not line.strip() or line.startswith("#"):
                continue
            match = _KEYWORD.match(line)
            if match:
                keyword, n, quoted = match.groups()
                part = (keyword, int(n or 0))
                seen = True
            else:
                quoted = line.strip()
            if part is None:
                raise ValueError(f"unexpected line in a .po file: {line!r}")
            value = ast.literal_eval(quoted)  # a C-escaped string literal: Python reads it the same
            name, index = part
            if name == "msgstr":
                entry.msgstr[index] = entry.msgstr.get(index, "") + value
            else:
                setattr(entry, name, (getattr(entry, name) or "") + value)
        if seen:
            entries.append(entry)
    return entries


def _copy_sources(dest: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
        rel = Path(dirpath).relative_to(ROOT)
        wanted = [f for f in filenames if Path(f).suffix in EXTENSIONS]
        if wanted:
            (dest / rel).mkdir(parents=True, exist_ok=True)
            for name in wanted:
                shutil.copyfile(Path(dirpath) / name, dest / rel / name)


@dataclass
class Catalogues:
    committed: list[Entry]
    extracted: list[Entry]
    copy: Path  # the copied sources

    def __repr__(self) -> str:  # (a failure's report shows the fixture's value)
        return f"<catalogues: {len(self.committed)} committed, {len(self.extracted)} extracted entries>"

    def active(self, which: str) -> dict:
        return {e.key: e for e in getattr(self, which) if not e.obsolete and e.msgid}


def _need_gettext() -> None:
    """Fail (not skip) without GNU gettext: the catalogue would go unchecked."""
    missing = [tool for tool in GETTEXT if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"GNU gettext is missing ({', '.join(missing)} not found): makemessages and compilemessages "
            f"need it. Install it with:\n  {INSTALL}\n(or run scripts/ensure_tools.sh as root)",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory) -> Catalogues | None:
    if any(shutil.which(tool) is None for tool in GETTEXT):
        return None  # each test fails with the command that installs it
    copy = tmp_path_factory.mktemp("messages")
    _copy_sources(copy)
    po = copy / CATALOGUE
    po.parent.mkdir(parents=True)
    shutil.copyfile(ROOT / CATALOGUE, po)
    committed = po.read_text(encoding="utf-8")
    # makemessages walks the current directory and writes to the first locale directory that holds the
    # files: here the copy's (both LOCALE_PATHS and the walked `locale`); the real one is never named.
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[str(copy / "locale")]):
            call_command("makemessages", locale=["en"], verbosity=0)
    finally:
        os.chdir(cwd)
    return Catalogues(parse_po(committed), parse_po(po.read_text(encoding="utf-8")), copy)


def test_no_committed_message_becomes_obsolete(catalogues):
    _need_gettext()
    assert catalogues is not None
    extracted = catalogues.active("extracted")
    lost = [e for key, e in catalogues.active("committed").items() if key not in extracted]
    assert not lost, (
        "makemessages no longer extracts these messages of locale/en (it would mark them obsolete and "
        "their English would be lost): mark them where the code uses them (gettext_noop, a gettext call "
        "outside the f-string; docs/architecture.md), or delete the entry if no code uses it any more:\n"
        + "\n".join(f"  {e}" for e in lost)
    )


def test_every_extracted_message_has_english(catalogues):
    _need_gettext()
    assert catalogues is not None
    extracted = catalogues.active("extracted")
    assert len(extracted) > 1000  # the whole project was read
    untranslated = [
        e
        for e in extracted.values()
        if "fuzzy" in e.flags or not e.msgstr or not all(text.strip() for text in e.msgstr.values())
    ]
    assert not untranslated, (
        "messages without an English translation (empty or fuzzy) after makemessages: add them to "
        "locale/en/LC_MESSAGES/django.po and run compilemessages -l en:\n"
        + "\n".join(f"  {e}{' (fuzzy)' if 'fuzzy' in e.flags else ''}" for e in untranslated)
    )


def _gettext_names(tree: ast.Module) -> set[str]:
    """The names under which a module calls a translation function: any name containing "gettext" (Django's
    and the module's own caching helpers such as `_gettext`) and the aliases it imports them under."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            names |= {a.asname or a.name for a in node.names if "gettext" in a.name}
    return names


def _literal_messages(path: Path):
    """(line, msgctxt, msgid) of each call of a translation function with a literal message in `path`,
    including the calls inside f-strings."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    aliases = _gettext_names(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if not (name in aliases or "gettext" in name):
            continue
        context = "pgettext" in name  # pgettext(context, message), npgettext(context, singular, plural, n)
        args = node.args
        values = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in args]
        if len(values) > int(context) and values[int(context)] is not None:
            yield node.lineno, (values[0] if context else None), values[int(context)]


def test_every_literal_message_is_extracted(catalogues):
    _need_gettext()
    assert catalogues is not None
    extracted = {(ctx, msgid) for ctx, msgid, _plural in catalogues.active("extracted")}
    invisible = []
    for path in sorted(catalogues.copy.rglob("*.py")):
        for line, ctx, msgid in _literal_messages(path):
            if (ctx, msgid) not in extracted:
                invisible.append(f"  {path.relative_to(catalogues.copy)}:{line}: {msgid!r}")
    assert not invisible, (
        "literals passed to a translation call that makemessages does not see (inside an f-string, through "
        "a helper or an alias): translate them outside the f-string, call gettext/gettext_lazy by name, or "
        "list them with gettext_noop beside the use (docs/architecture.md):\n" + "\n".join(invisible)
    )


def test_the_checks_see_what_xgettext_misses(tmp_path):
    """The literal check finds the patterns xgettext misses (f-string, helper, alias)."""
    source = tmp_path / "sample.py"
    source.write_text(
        "from django.utils.translation import gettext as _t, gettext_noop, pgettext\n"
        "a = f\"{_t('在f字符串里')}\"\n"
        "b = _gettext('经由帮助函数', 'en')\n"
        "c = pgettext('月份', '五月')\n"
        "d = gettext_noop(variable)\n",
        encoding="utf-8",
    )
    found = {(ctx, msgid) for _line, ctx, msgid in _literal_messages(source)}
    assert found == {(None, "在f字符串里"), (None, "经由帮助函数"), ("月份", "五月")}
    po = parse_po(
        'msgid ""\nmsgstr "X: y\\n"\n\n#, fuzzy\n#| msgid "旧"\nmsgid "新"\nmsgstr "New"\n\n'
        'msgctxt "c"\nmsgid "%(n)d天"\nmsgid_plural "%(n)d天"\nmsgstr[0] "%(n)d day"\nmsgstr[1] ""\n'
        '"%(n)d days"\n\n#, fuzzy\n#~| msgid "长文字"\n#~ msgid ""\n#~ "长"\n#~ "文"\n#~ msgstr "Long text"\n'
    )
    assert [(e.key, e.msgstr, e.flags, e.obsolete) for e in po[1:]] == [
        ((None, "新", None), {0: "New"}, {"fuzzy"}, False),
        (("c", "%(n)d天", "%(n)d天"), {0: "%(n)d day", 1: "%(n)d days"}, set(), False),
        ((None, "长文", None), {0: "Long text"}, {"fuzzy"}, True),
    ]
