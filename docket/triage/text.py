"""Chinese text as triage reads it: normalised characters, the place it names and the words it is about.

Pure functions, no database. jieba's dictionary ships in its wheel and is loaded lazily, once per process
(`_jieba()`); nothing is downloaded at run time.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
}
_CN_DIGITS.update({"九": 9})

# Spellings that mean the same thing in a complaint (typos by pinyin input, colloquial and dialect words),
# mapped to one form before anything else reads the text.
_CANON = [
    ("升降梯", "电梯"),
    ("电题", "电梯"),
    ("点梯", "电梯"),
    ("无业", "物业"),
    ("屋业", "物业"),
    ("物管", "物业"),
    ("为修", "维修"),
    ("维休", "维修"),
    ("保按", "保安"),
    ("门卫", "保安"),
    ("拉圾", "垃圾"),
    ("垃级", "垃圾"),
    ("停车厂", "停车场"),
    ("车库", "停车场"),
    ("漏水", "渗水"),
    ("渗漏", "渗水"),
    ("咋", "怎么"),
    ("嫑", "不要"),
    ("栋", "号楼"),
    ("幢", "号楼"),
    ("号号楼", "号楼"),
    ("楼号楼", "号楼"),
]

_BUILDING = re.compile(r"(\d+)号楼")
_UNIT = re.compile(r"(\d+)单元")
_LIFT = re.compile(r"(\d+)号(?:电梯|梯)")
_CN_NUM = re.compile(r"([零〇一二两三四五六七八九十]+)(?=号楼|单元|号电梯|号梯|楼|层)")

# Named public places of a community: two complaints naming the same one are about the same place.
PUBLIC_AREAS = (
    "北门",
    "南门",
    "东门",
    "西门",
    "正门",
    "地下停车场",
    "停车场",
    "中心花园",
    "儿童游乐区",
    "游乐场",
    "垃圾站",
    "会所",
    "健身区",
    "中心广场",
    "泳池",
    "水泵房",
    "配电房",
)

_STOP_WORDS = (
    "的 了 是 我 你 他 她 们 在 有 和 就 都 也 还 又 吗 呢 吧 啊 呀 嘛 么 个 这 那 不 没 很 太 说 要 给 让 把 被 到 "
    "对 从 跟 与 及 或 但 而 再 才 已 已经 一个 一下 什么 怎么 为什么 这个 那个 我们 你们 他们 物业 业主 请 "
    "希望 问题 情况 反映 投诉 处理 尽快 现在 今天 昨天 前天 一直 总是 好几 几次 多次 一次 两次 每次 时候 知道 "
    "号楼 单元 号 楼 层 管理处 小区 领导 谢谢 麻烦 你好 喂 哎 唉 真 真是 简直 实在 根本 非常 特别 到底 究竟"
)
_STOP = frozenset(_STOP_WORDS.split())


def _cn_to_int(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 二十三 → 23 (enough for buildings, units and floors)."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _CN_DIGITS.get(ch, 0)
    return value


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, Chinese numerals before 号楼/单元/号梯 as digits, the
    spellings in _CANON replaced, whitespace removed."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    for wrong, right in _CANON:
        text = text.replace(wrong, right)
    text = _CN_NUM.sub(lambda m: str(_cn_to_int(m.group(1))), text)
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Place:
    """Where a complaint says the problem is: building and unit numbers, a lift number, public areas."""

    building: str = ""
    unit: str = ""
    lift: str = ""
    areas: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.building or self.unit or self.lift or self.areas)


def place_of(text: str, *, building: str = "", unit: str = "") -> Place:
    """The place named by normalised text; the structured building/unit (from the room) win over the text."""
    b = _BUILDING.search(text)
    u = _UNIT.search(text)
    lift = _LIFT.search(text)
    areas = frozenset(a for a in PUBLIC_AREAS if a in text)
    if "地下停车场" in areas:
        areas = areas - {"停车场"}
    return Place(
        building=building or (b.group(1) if b else ""),
        unit=unit or (u.group(1) if u else ""),
        lift=lift.group(1) if lift else "",
        areas=areas,
    )


def number_of(name: str) -> str:
    """The number in a building or unit name ("3号楼", "三单元", "B3" → "3"), or the name itself."""
    name = normalise(name)
    m = re.search(r"\d+", name)
    return m.group(0) if m else name


def place_similarity(a: Place, b: Place) -> float:
    """1 for the same place, 0 for certainly different places, between when one side says too little.

    Different buildings (or lifts, or units in the same building) are different places: the same lift
    fault in building 3 and in building 5 are two issues."""
    if a.areas and b.areas:  # a named public place beats the building of a home address in a letter
        return 1.0 if a.areas & b.areas else 0.1
    if a.building and b.building:
        if a.building != b.building:
            return 0.0
        if a.unit and b.unit and a.unit != b.unit:
            return 0.1
        if a.lift and b.lift and a.lift != b.lift:
            return 0.2
        return 1.0
    return 0.3


_jieba_lock = threading.Lock()
_jieba_module = None


def _jieba():
    """jieba, initialised once per process (its dictionary is in the wheel; about half a second). Used by
    the classifier's word features; the same-issue lookup reads character bigrams (much faster per text)."""
    global _jieba_module
    if _jieba_module is None:
        with _jieba_lock:
            if _jieba_module is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_module = jieba
    return _jieba_module


_STOP_CHARS = frozenset(
    "的了是我你他她们在有和就都也还又吗呢吧啊呀嘛么个这那不没很太说要给让把被到对从跟与及或但而再才已请能会好多"
)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


@lru_cache(maxsize=8192)
def words(text: str) -> frozenset[str]:
    """The content bigrams of normalised text: character bigrams of its Chinese runs after dropping function
    characters, without the bigrams every complaint shares (_STOP). About 20 µs for a letter."""
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        run = "".join(ch for ch in run if ch not in _STOP_CHARS)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(out - _STOP)


def text_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap of two word sets, relative to the smaller (a short app message inside a long letter)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b)) ** 0.5 / max(len(a), len(b)) ** 0.5
