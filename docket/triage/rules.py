"""Cold-start keyword rules for the demo's category tree (docket/demo/organisation.CATEGORY_TREE).

A company without enough classified history gets its suggestion from these: each leaf category (by its
path "上级 / 名称", as str(Category)) with the words that point to it and the department kind that usually handles it. A
company whose tree differs simply gets no rule for the categories it lacks. Keywords are matched on
normalised text (text.normalise), so write them in the canonical spelling (电梯, 物业, 渗水, 号楼).
"""

from __future__ import annotations

from dataclasses import dataclass

RULES_VERSION = "rules-1"


@dataclass(frozen=True)
class Rule:
    path: str  # "设施设备 / 电梯", as str(Category)
    dept: str  # Department.Kind value
    keywords: tuple[str, ...]  # each match adds its length (longer phrases weigh more)


RULES: tuple[Rule, ...] = (
    Rule(
        "安全 / 消防通道",
        "security",
        ("消防通道", "通道堵", "堵塞通道", "消防车", "生命通道", "占用通道", "锁死"),
    ),
    Rule(
        "安全 / 消防设施",
        "engineering",
        ("灭火器", "消火栓", "消防栓", "烟感", "喷淋", "应急灯", "疏散指示", "消防水带", "消防设施"),
    ),
    Rule(
        "安全 / 门禁",
        "security",
        ("门禁", "刷卡", "门禁卡", "人脸识别", "单元门", "外来人员", "陌生人", "随意进出", "闸机"),
    ),
    Rule("安全 / 监控", "security", ("监控", "摄像头", "录像", "调取", "监控室", "盲区")),
    Rule(
        "收费 / 物业费",
        "customer_service",
        ("物业费", "服务费", "空置", "发票", "催缴", "滞纳金", "收费标准", "预交"),
    ),
    Rule(
        "收费 / 停车费",
        "customer_service",
        ("停车费", "车位费", "月卡", "临停", "停车卡", "车位租金", "包月", "计时收费"),
    ),
    Rule(
        "收费 / 水电费",
        "customer_service",
        ("水费", "电费", "水电费", "电价", "水价", "公摊", "电表", "水表", "二次加压费"),
    ),
    Rule(
        "收费 / 公共收益",
        "customer_service",
        ("公共收益", "广告收入", "广告位", "场地租金", "收益公示", "快递柜", "收益去向"),
    ),
    Rule("设施设备 / 电梯", "engineering", ("电梯", "困人", "轿厢", "平层", "年检", "梯")),
    Rule(
        "设施设备 / 供水",
        "engineering",
        ("停水", "水压", "水质", "黄水", "水箱", "自来水", "水管", "爆管", "没水", "浑浊"),
    ),
    Rule("设施设备 / 外墙", "engineering", ("外墙", "瓷砖", "空鼓", "脱落", "墙皮", "保温层")),
    Rule(
        "设施设备 / 公共照明", "engineering", ("路灯", "楼道灯", "照明", "灯不亮", "黑灯", "声控灯", "灯坏")
    ),
    Rule("设施设备 / 充电设施", "engineering", ("充电桩", "充电", "电动车", "电瓶车", "充电棚", "飞线")),
    Rule(
        "环境卫生 / 垃圾清运",
        "cleaning",
        ("垃圾", "清运", "垃圾桶", "垃圾站", "分类", "臭味", "溢出", "建筑垃圾"),
    ),
    Rule(
        "环境卫生 / 公共保洁",
        "cleaning",
        ("保洁", "打扫", "卫生", "狗屎", "粪便", "宠物", "楼道脏", "拖地", "灰尘", "小广告"),
    ),
    Rule(
        "环境卫生 / 绿化养护",
        "greening",
        ("绿化", "草坪", "树木", "修剪", "浇水", "树枝", "杂草", "枯死", "花坛", "虫害", "游乐"),
    ),
    Rule(
        "秩序/停车 / 停车管理",
        "security",
        ("乱停", "乱停车", "占车位", "停车位被", "车位被占", "外来车", "挡住", "抢车位", "僵尸车"),
    ),
    Rule(
        "秩序/停车 / 噪音扰民", "security", ("噪音", "扰民", "吵", "广场舞", "半夜", "音响", "狗叫", "施工声")
    ),
    Rule(
        "秩序/停车 / 装修管理", "security", ("装修", "电钻", "砸墙", "装修时间", "装修垃圾", "拆改", "承重墙")
    ),
    Rule("服务态度 / 保安", "security", ("保安", "巡逻", "值班", "岗亭", "态度蛮横", "睡觉", "玩手机")),
    Rule(
        "服务态度 / 客服",
        "customer_service",
        ("客服", "前台", "管家", "电话没人接", "踢皮球", "推诿", "不回复", "态度差"),
    ),
    Rule(
        "服务态度 / 维修人员",
        "engineering",
        ("维修工", "维修师傅", "师傅", "上门", "修不好", "乱收费", "维修人员", "没修好"),
    ),
    Rule(
        "地产遗留 / 房屋质量",
        "customer_service",
        ("裂缝", "开裂", "房屋质量", "交房", "地面空鼓", "门窗", "精装", "墙面起皮", "渗水"),
    ),
    Rule(
        "地产遗留 / 外墙渗漏",
        "customer_service",
        ("外墙渗水", "墙面渗水", "飘窗渗水", "雨天渗水", "窗台渗水", "外墙"),
    ),
    Rule(
        "地产遗留 / 维修基金",
        "customer_service",
        ("维修基金", "专项维修资金", "大修基金", "动用基金", "基金"),
    ),
    Rule(
        "地产遗留 / 配套设施",
        "customer_service",
        ("配套", "会所", "幼儿园", "承诺", "开发商", "规划", "泳池", "沙盘"),
    ),
    Rule(
        "综合管理 / 业主自治",
        "customer_service",
        ("业委会", "业主大会", "业主委员会", "投票", "选举", "活动室", "筹备组"),
    ),
    Rule(
        "综合管理 / 信息公开",
        "customer_service",
        ("公示", "公开", "账目", "明细", "公告栏", "知情权", "财务报告"),
    ),
)
# The category paths of the demo tree that are leaves (every rule above names one): the tree's top nodes
# are never suggested, a complaint is classified to a leaf.
RULE_PATHS = frozenset(r.path for r in RULES)


def rule_scores(text: str) -> dict[str, float]:
    """Score per category path for normalised text: the summed length of the keywords it contains."""
    scores: dict[str, float] = {}
    for rule in RULES:
        s = sum(len(k) for k in rule.keywords if k in text)
        if s:
            scores[rule.path] = float(s)
    return scores


DEPT_OF_PATH = {r.path: r.dept for r in RULES}
