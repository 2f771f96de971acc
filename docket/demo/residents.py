"""The demo's fictional residents: name parts (names made up, phones 1380000xxxx) and the reference the
planner and the complaint histories use."""

from __future__ import annotations

from dataclasses import dataclass

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
GIVEN = (
    "建国",
    "秀英",
    "伟",
    "芳",
    "志强",
    "丽娟",
    "海燕",
    "德明",
    "桂兰",
    "晓东",
    "雪梅",
    "立新",
    "淑珍",
    "永刚",
    "国华",
    "春梅",
    "文斌",
    "红霞",
    "建平",
    "玉兰",
    "少华",
    "明",
    "静",
    "磊",
    "敏",
    "涛",
    "丹",
    "宏伟",
    "婷",
    "鹏",
    "小红",
    "卫东",
    "振华",
    "淑芬",
    "凤英",
    "宇",
    "浩然",
    "欣怡",
    "子轩",
    "梓涵",
    "嘉怡",
    "俊杰",
    "秀珍",
    "保国",
    "金凤",
    "永红",
    "丽华",
    "志华",
    "玉梅",
    "建军",
)


@dataclass
class ResidentRef:
    id: int
    name: str
    title: str  # 先生 / 女士
    phone: str
    room_id: int
    room: str
    bld: str
    unit: str

    @property
    def polite(self) -> str:
        return f"{self.name[0]}{self.title}"
