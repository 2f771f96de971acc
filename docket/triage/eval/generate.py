"""The triage evaluation set: realistic complaints for every category of the demo tree, written from the
hand-made templates and slot vocabularies below (oral transcripts, letters, angry messages, short app
messages, Xi'an dialect, pinyin typos), with same-issue groups (paraphrases from different people) and
near-misses (the same fault in another building, another fault in the same building, the same place a
month and a half later).

    uv run python -m docket.triage.eval.generate      # rewrites docket/triage/eval/complaints.jsonl

Deterministic (seeded). The held-out split is fixed per group (a group is wholly train or test), and one
phrasing of every category is only ever used in test rows, so the test measures unseen wording too.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from docket.triage.rules import DEPT_OF_PATH

OUT = Path(__file__).with_name("complaints.jsonl")
SEED = 20261204
OFFICES = {"CYY": ("朝阳园", 6), "YY": ("雅苑", 4), "LJW": ("丽景湾", 5)}


@dataclass(frozen=True)
class Cat:
    path: str
    place: str  # "building" | "area" | "none"
    areas: tuple[str, ...]
    subjects: tuple[str, ...]
    phrases: tuple[str, ...]  # the last one only in test rows


C = Cat
CATS = [
    C(
        "安全 / 消防通道",
        "area",
        ("北门", "东门", "地下停车场"),
        ("{p}消防通道被堵", "消防通道长期被占用", "{p}生命通道堵死了"),
        (
            "{p}的消防通道天天停满私家车，消防车根本进不来",
            "{p}那边的通道被人堆了杂物还锁了门，万一着火怎么跑",
            "晚上{p}通道两边全是车，救护车上次都开不进去",
            "{p}的消防通道让人用铁链子锁死了，说是防外来车",
            "{p}那条生命通道被商户摆摊占了，一点空都没留",
        ),
    ),
    C(
        "安全 / 消防设施",
        "building",
        (),
        ("{p}灭火器过期", "{p}消火栓没水", "消防设施形同虚设"),
        (
            "{p}楼道里的灭火器压力表指针都到红区了，还是前年的",
            "{p}的消火栓箱打开一看水带都没有，栓也拧不动",
            "{p}楼道的应急灯一个都不亮，疏散指示牌也掉了",
            "{p}烟感报警器一直滴滴响，半夜吵得睡不着也没人来查",
            "{p}消防箱玻璃碎了好久，里面的器材被人拿走了",
        ),
    ),
    C(
        "安全 / 门禁",
        "building",
        (),
        ("{p}门禁坏了", "{p}单元门关不上", "门禁卡刷不开"),
        (
            "{p}单元门的门禁坏了一个多星期，谁都能随便进",
            "{p}门禁卡刷了没反应，每次回家都得等别人开门",
            "{p}的单元门锁坏了关不严，晚上陌生人在楼道里转悠",
            "{p}人脸识别老是认不出来，老人进不去门",
            "{p}门禁系统录不进新卡，租户进出全靠敲门",
        ),
    ),
    C(
        "安全 / 监控",
        "area",
        ("地下停车场", "北门", "中心花园"),
        ("{p}监控是坏的", "调监控被拒", "{p}摄像头不亮"),
        (
            "我的电动车在{p}被偷了，去调监控说摄像头早就坏了",
            "{p}的摄像头对着墙拍，出了事根本看不到人",
            "车在{p}被人划了，物业说录像只保存三天不给看",
            "{p}那一片是监控盲区，已经丢了好几辆自行车",
            "{p}的监控屏幕黑了一半，值班室也没人盯着",
        ),
    ),
    C(
        "收费 / 物业费",
        "none",
        (),
        ("物业费涨价没有依据", "空置房物业费不减免", "物业费收费不合理"),
        (
            "今年物业费从每平一块八涨到两块五，没开业主大会也没公示就涨",
            "房子一直空着没住人，物业费一分不减还要交滞纳金",
            "物业费催缴电话一天打好几个，还威胁要断水断电",
            "我提前预交了一年物业费，发票拖了三个月还没开给我",
            "服务一点没变好，物业费年年涨，收费标准到底是谁定的",
        ),
    ),
    C(
        "收费 / 停车费",
        "none",
        (),
        ("停车费乱涨价", "月卡停车费多收", "临停收费不合理"),
        (
            "地库月卡停车费从两百涨到三百，车位还是那么难找",
            "临停半小时就收了十块钱，门口也没贴收费标准",
            "我办的包月停车卡到期没提醒，直接按临停多扣了我好几百",
            "车位租金一年一涨，合同上根本没写",
            "家里第二辆车停车费要翻倍收，这个规定哪来的",
        ),
    ),
    C(
        "收费 / 水电费",
        "none",
        (),
        ("电费比供电局贵", "公摊水费太高", "水电费收费不透明"),
        (
            "物业代收电费一度比供电局贵了两毛多，这差价去哪了",
            "这个月公摊水费一百多，我家就两口人",
            "水表明明没怎么走，账单上的水费却翻了一倍",
            "二次加压费每个月都收，也没人说过是什么费用",
            "电表是物业抄的，每个月读数都对不上",
        ),
    ),
    C(
        "收费 / 公共收益",
        "none",
        (),
        ("公共收益去向不明", "电梯广告收入不公开", "快递柜场地费归谁"),
        (
            "电梯里的广告位、小区的快递柜都在收钱，这些公共收益去哪了",
            "小区门口的广告牌出租好几年了，收入从没公示过",
            "地面车位出租的钱属于全体业主，物业自己揣兜里了",
            "场地租给商家搞活动收的租金，业主一分也没见到",
            "公共收益账目要求公开，物业一直拖着不给",
        ),
    ),
    C(
        "设施设备 / 电梯",
        "building",
        (),
        ("{p}电梯又坏了", "{p}电梯困人", "{p}电梯异响"),
        (
            "{p}的电梯一个月停了三次，老人上下楼只能爬楼梯",
            "{p}电梯把人困在里面二十多分钟，按警铃没人应",
            "{p}电梯运行的时候咣当咣当响，平层也不准，孩子差点绊倒",
            "{p}电梯门关到一半又弹开，来回好几次才走",
            "{p}的梯年检合格证过期了还在用，坐着心里发慌",
        ),
    ),
    C(
        "设施设备 / 供水",
        "building",
        (),
        ("{p}停水没通知", "{p}水压太低", "{p}自来水发黄"),
        (
            "{p}突然停水一整天，事先一点通知都没有",
            "{p}高层水压低得洗澡都洗不了，热水器打不着火",
            "{p}早上打开水龙头流出来的都是黄水，还有股怪味",
            "{p}地下的水管爆了，整栋楼停水到现在",
            "{p}的二次供水水箱多久没清洗了，水里有沉淀",
        ),
    ),
    C(
        "设施设备 / 外墙",
        "building",
        (),
        ("{p}外墙瓷砖脱落", "{p}外墙掉东西", "{p}墙皮脱落"),
        (
            "{p}外墙的瓷砖掉下来好几块，砸在楼下的雨棚上",
            "{p}南面外墙一大片空鼓，随时会掉下来",
            "{p}外墙的保温层被风刮起来了，挂在半空中晃",
            "{p}的外墙墙皮一块一块往下掉，楼下是孩子玩的地方",
            "{p}高处的外墙装饰线条裂开了，摇摇欲坠",
        ),
    ),
    C(
        "设施设备 / 公共照明",
        "building",
        (),
        ("{p}楼道灯不亮", "路灯坏了", "{p}声控灯失灵"),
        (
            "{p}楼道灯坏了半个月，晚上上楼黑乎乎的，老人摔了一跤",
            "{p}门口的路灯一到晚上就不亮，走路看不见",
            "{p}的声控灯怎么跺脚都不亮，只能打手机电筒",
            "{p}地下一层的照明灯一半是灭的",
            "{p}楼道里的灯白天一直亮着，晚上反而黑灯瞎火",
        ),
    ),
    C(
        "设施设备 / 充电设施",
        "area",
        ("北门", "地下停车场", "中心花园"),
        ("电动车充电难", "{p}充电桩坏了", "要求增加充电桩"),
        (
            "{p}的电动车充电桩一半都坏了，扫码也充不上电",
            "小区就那几个充电桩，电瓶车只能飞线充电，太危险了",
            "{p}充电棚的插座烧了，到现在也没人修",
            "{p}的汽车充电桩被燃油车占着，根本充不了",
            "{p}充电桩扣了钱却没通电，客服电话打不通",
        ),
    ),
    C(
        "环境卫生 / 垃圾清运",
        "area",
        ("垃圾站", "北门", "东门"),
        ("{p}垃圾没人清运", "{p}垃圾桶满了", "{p}垃圾房臭气熏天"),
        (
            "{p}的垃圾桶两三天没人清，垃圾都溢出来了",
            "{p}的垃圾房臭得要命，夏天苍蝇乱飞，窗户都不敢开",
            "{p}堆了一大堆装修建筑垃圾，一个多月都没拉走",
            "垃圾分类搞了半年，{p}的桶还是混着倒",
            "{p}的垃圾车每天早上五点就来，清运的时候又吵又臭",
        ),
    ),
    C(
        "环境卫生 / 公共保洁",
        "building",
        (),
        ("{p}楼道脏乱", "{p}狗屎没人清", "保洁不到位"),
        (
            "{p}的楼道好久没人打扫了，地上全是灰和烟头",
            "{p}门口到处是狗屎，保洁也不管，养狗的也不清",
            "{p}楼梯扶手一摸一手黑，保洁根本没擦过",
            "{p}电梯厅贴满了小广告，一直没人清理",
            "{p}楼道里有人家的宠物随地大小便，味道很大",
        ),
    ),
    C(
        "环境卫生 / 绿化养护",
        "area",
        ("中心花园", "儿童游乐区", "北门"),
        ("{p}树木没人修剪", "{p}草坪枯死", "{p}绿化差"),
        (
            "{p}的树长得太高，树枝都伸到人家窗户里了",
            "{p}的草坪全枯黄了，一片一片都是土",
            "{p}杂草长得比人都高，还有蚊子和虫子",
            "{p}的绿化打药也不通知，孩子在旁边玩",
            "{p}的花坛全被人种上了菜，绿化也没人管",
        ),
    ),
    C(
        "秩序/停车 / 停车管理",
        "area",
        ("北门", "地下停车场", "东门"),
        ("{p}乱停车", "我的车位被占", "外来车随便进"),
        (
            "{p}乱停车太严重了，路都堵死了，保安也不管",
            "我买的车位天天被别人的车占着，叫物业也不处理",
            "{p}外来车随便进来停，业主反倒没地方停",
            "{p}有辆僵尸车停了半年都没人挪，占着车位",
            "{p}有人用地锁和石墩子抢公共车位",
        ),
    ),
    C(
        "秩序/停车 / 噪音扰民",
        "building",
        (),
        ("{p}噪音扰民", "{p}广场舞太吵", "半夜噪音"),
        (
            "{p}楼下每天晚上跳广场舞，音响开到最大，孩子没法写作业",
            "{p}楼上半夜两点还在拖椅子砸东西，吵得整晚睡不着",
            "{p}底商的空调外机嗡嗡响，一整夜不停",
            "{p}邻居家狗从早叫到晚，说了也不管",
            "{p}有人凌晨在楼下喝酒喊叫，报了物业没人来",
        ),
    ),
    C(
        "秩序/停车 / 装修管理",
        "building",
        (),
        ("{p}装修扰民", "{p}违规装修", "周末装修不停"),
        (
            "{p}有户人家周末一大早就开始电钻砸墙，装修时间根本不遵守",
            "{p}有业主装修把承重墙都打了，物业也不制止",
            "{p}装修垃圾堆在楼道里好几天，电梯也被弄脏了",
            "{p}装修工人中午也在施工，说了好几次都没用",
            "{p}有人装修把阳台拆改了，楼下墙都裂了",
        ),
    ),
    C(
        "服务态度 / 保安",
        "area",
        ("北门", "东门", "地下停车场"),
        ("{p}保安态度恶劣", "保安值班睡觉", "保安不作为"),
        (
            "{p}的保安对业主大呼小叫，态度蛮横，还推了我一把",
            "晚上去{p}岗亭找保安，人在里面睡觉，叫都叫不醒",
            "{p}的保安值班时一直玩手机，外卖员随便进出都不管",
            "{p}保安骂我家老人，还不让我们进门",
            "{p}岗亭的保安收了外来车的钱就放进来",
        ),
    ),
    C(
        "服务态度 / 客服",
        "none",
        (),
        ("客服态度差", "前台推诿扯皮", "管家不回复"),
        (
            "打物业客服电话没人接，好不容易接了还说不归他们管",
            "前台的工作人员态度很冷淡，问什么都说不知道",
            "微信群里问管家事情，好几天都不回复",
            "客服让我找工程部，工程部又让我找客服，踢皮球",
            "前台答应第二天回电话，一周过去了也没消息",
        ),
    ),
    C(
        "服务态度 / 维修人员",
        "building",
        (),
        ("维修师傅态度差", "维修工乱收费", "上门维修修不好"),
        (
            "{p}报修后维修师傅来了看一眼就走了，问题一点没解决",
            "维修工上门换个水龙头收了我两百块，也不给票",
            "约好上午上门维修，师傅下午才来还一脸不耐烦",
            "{p}的维修人员修完把地上弄得全是泥也不收拾",
            "同一个问题维修师傅来了三次都没修好",
        ),
    ),
    C(
        "地产遗留 / 房屋质量",
        "none",
        (),
        ("新房墙体开裂", "交房质量问题", "地面空鼓"),
        (
            "收房不到一年，客厅墙上就裂了好几道缝",
            "精装修的木地板起拱、地面空鼓，找开发商一直推",
            "卫生间楼板渗水到楼下，交房的时候防水就没做好",
            "卧室的窗户关不严，一刮风就呼呼响，门窗质量太差",
            "墙面起皮发霉，新房交付才半年",
        ),
    ),
    C(
        "地产遗留 / 外墙渗漏",
        "building",
        (),
        ("{p}外墙渗水", "雨天墙面渗水", "飘窗渗水"),
        (
            "{p}一下雨外墙就往屋里渗水，卧室墙面全湿了",
            "{p}飘窗下面雨天渗水，窗台泡坏了",
            "{p}的外墙渗水把家里的墙纸都泡起来了，保修期内开发商不管",
            "{p}每次下大雨靠外墙那面墙角就湿一片",
            "{p}顶层外墙裂缝渗水，屋里墙面发霉长毛",
        ),
    ),
    C(
        "地产遗留 / 维修基金",
        "none",
        (),
        ("维修基金使用不透明", "动用维修基金没征求意见", "维修资金账目不公开"),
        (
            "要用专项维修资金换电梯，没经过业主表决就签字了",
            "我们交的维修基金到底还剩多少，一直查不到",
            "物业说修屋顶要动用大修基金，报价明显虚高",
            "开发商代收的维修基金没有按时交到住建部门",
            "维修基金的使用明细从来没在小区公示过",
        ),
    ),
    C(
        "地产遗留 / 配套设施",
        "none",
        (),
        ("配套设施没兑现", "承诺的会所不开放", "幼儿园迟迟不交付"),
        (
            "买房时沙盘上有会所和游泳池，交房三年了还是一片空地",
            "开发商承诺的小区幼儿园到现在也没建",
            "规划里的地下车位变成了商铺，配套跟宣传的不一样",
            "会所一直锁着不开放，说是开发商还没移交",
            "售楼时说的双气入户，结果只通了电",
        ),
    ),
    C(
        "综合管理 / 业主自治",
        "none",
        (),
        ("业委会选举不公开", "业主大会投票有问题", "活动室被占用"),
        (
            "业委会换届选举没通知全体业主，几个人私下就定了",
            "业主大会投票，物业挨家挨户代签，这票能算吗",
            "筹备组成立半年了，一次会议都没开过",
            "说好给业委会用的活动室，被物业改成了仓库",
            "业主委员会做决定从不征求大家意见",
        ),
    ),
    C(
        "综合管理 / 信息公开",
        "none",
        (),
        ("物业账目不公开", "公告栏信息过期", "要求公示服务合同"),
        (
            "物业收支账目一直不公开，业主有知情权",
            "公告栏上贴的还是去年的通知，新的收费标准没公示",
            "要求看物业服务合同，前台说没有权限给看",
            "年度财务报告什么时候公布，问了几次没人答复",
            "停水停电的公告从来不提前贴，都是事后才知道",
        ),
    ),
]

REGISTERS = {
    "app": ("{s}。{a}，请尽快处理", "{a}！速来人处理", "【报修】{a}", "{a}，什么时候能解决？"),
    "oral": (
        "喂，你好，我是{home}的业主啊，那个，{a}，嗯，就是这个事，你们能不能派人来看看？",
        "哎你好，我跟你们反映个情况，{a}，都好几天了，你们到底管不管？",
        "是物业吗？我{home}的，{a}，{b}，你记一下，赶紧处理。",
    ),
    "letter": (
        "尊敬的{office}领导：本人系{home}业主。{when}，{a}。{b}。我多次向物业反映，至今没有解决。特此投诉，望尽快处理并给予书面答复。",
        "致物业服务中心：{when}起，{a}。此事已严重影响业主正常生活，{b}。请物业高度重视，限期整改。{home}业主",
    ),
    "angry": (
        "你们物业是干什么吃的？{a}！！{b}！交了钱就这服务？再不解决我就打12345！",
        "忍无可忍！{a}，说了多少遍了没人管，{b}，你们领导呢？",
    ),
    "dialect": (
        "额跟你说，{a}，咋弄嘛，嫑再拖咧，赶紧来人看一哈。",
        "伙计，{a}，这事你们管不管嘛，{b}，把人急死咧。",
    ),
}
# Asides about other topics, as angry people add them ("I pay my fee, and the guards don't care either"):
# they carry other categories' words, so the words alone do not give the category away.
ASIDES = (
    "物业费我一分没少交",
    "保安也不管",
    "打客服电话也没人接",
    "上次电梯坏了也是拖了好久",
    "小区垃圾也没人清",
    "停车费倒是年年涨",
    "业委会也不出面",
    "维修师傅来看了一眼就走了",
    "监控也是坏的",
    "公告栏上什么都不公示",
    "楼道灯也不亮",
    "开发商承诺的东西一样没兑现",
)
TYPOS = [
    ("电梯", "电题"),
    ("物业", "无业"),
    ("维修", "为修"),
    ("垃圾", "拉圾"),
    ("保安", "保按"),
    ("停车场", "停车厂"),
]
WHEN = ("上周三", "前天", "本月初", "上周末", "昨天晚上", "这周一", "上个月底", "最近一段时间")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def _place_text(cat: Cat, building: int, unit: int, area: str, rng: random.Random) -> tuple[str, str]:
    """(text placed into the phrase, the free-text location field)."""
    if cat.place == "building":
        b = rng.choice([f"{building}号楼", f"{building}栋", f"{building}号楼{unit}单元", f"{building}幢"])
        return b, f"{building}号楼{unit}单元"
    if cat.place == "area":
        return area, area
    return "", ""


def _compose(cat: Cat, phrase: str, other: str, p: str, home: str, office: str, reg: str, rng: random.Random):
    a = phrase.format(p=p)
    b = other.format(p=p)
    frame = rng.choice(REGISTERS[reg])
    if reg in ("letter", "angry", "oral") and rng.random() < 0.35:
        b = f"{b}，{rng.choice(ASIDES)}"
    text = frame.format(
        a=a, b=b, s=rng.choice(cat.subjects).format(p=p), home=home, office=office, when=rng.choice(WHEN)
    )
    if rng.random() < 0.25:
        for wrong_from, wrong_to in rng.sample(TYPOS, 2):
            text = text.replace(wrong_from, wrong_to)
    subject = rng.choice(cat.subjects).format(p=p) if reg != "app" or rng.random() < 0.5 else ""
    return subject, text


def generate(n_singles: int = 420, n_groups: int = 70, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    rows: list[dict] = []
    used: list[tuple[str, str, str, int]] = []  # (office, category, place key, day)
    gid = 0

    def phone() -> str:
        return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))

    def clash(office: str, path: str, key: str, day: int) -> bool:
        return any(o == office and c == path and k == key and abs(d - day) <= 52 for o, c, k, d in used)

    def row(cat, office, building, unit, area, day, split, group, person, phrases):
        name, _nb = OFFICES[office]
        p, location = _place_text(cat, building, unit, area, rng)
        home_b = building if cat.place == "building" else rng.randint(1, OFFICES[office][1])
        home = f"{name}{home_b}号楼{unit}单元{rng.randint(1, 26)}0{rng.randint(1, 4)}"
        phrase = rng.choice(phrases)
        other = rng.choice(cat.phrases[:-1])
        reg = rng.choice(list(REGISTERS))
        subject, text = _compose(cat, phrase, other, p, home, f"{name}管理处", reg, rng)
        anonymous = rng.random() < 0.08
        rows.append(
            {
                "id": len(rows) + 1,
                "split": split,
                "office": office,
                "day": day,
                "building": str(building) if cat.place == "building" and rng.random() < 0.6 else "",
                "unit": str(unit) if cat.place == "building" and rng.random() < 0.4 else "",
                "location": location if rng.random() < 0.5 else "",
                "phone": "" if anonymous else person,
                "anonymous": anonymous,
                "subject": subject,
                "description": text,
                "category": cat.path,
                "dept": DEPT_OF_PATH[cat.path],
                "group": group,
                "register": reg,
            }
        )

    def phrases_for(cat: Cat, split: str) -> tuple[str, ...]:
        return cat.phrases if split == "test" else cat.phrases[:-1]

    # Same-issue groups with their near-misses.
    for _ in range(n_groups):
        gid += 1
        cat = rng.choice([c for c in CATS if c.place != "none"])
        office = rng.choice(list(OFFICES))
        nb = OFFICES[office][1]
        building, unit = rng.randint(1, nb), rng.randint(1, 3)
        area = rng.choice(cat.areas) if cat.areas else ""
        key = f"{building}" if cat.place == "building" else area
        day = rng.randint(0, 330)
        if clash(office, cat.path, key, day):
            continue
        split = "test" if rng.random() < 0.3 else "train"
        used.append((office, cat.path, key, day))
        people = [phone() for _ in range(rng.randint(2, 5))]
        members = list(people) + ([people[0]] if rng.random() < 0.3 else [])  # someone files twice
        for person in members:
            row(
                cat,
                office,
                building,
                unit,
                area,
                day + rng.randint(0, 20),
                split,
                f"g{gid}",
                person,
                phrases_for(cat, split),
            )
        # Near-miss: the same fault elsewhere (another building / another public area) in the window.
        if cat.place == "building" and nb > 1:
            other_b = rng.choice([b for b in range(1, nb + 1) if b != building])
            if not clash(office, cat.path, str(other_b), day):
                used.append((office, cat.path, str(other_b), day))
                row(
                    cat,
                    office,
                    other_b,
                    unit,
                    "",
                    day + rng.randint(0, 15),
                    split,
                    f"n{gid}",
                    phone(),
                    phrases_for(cat, split),
                )
        elif cat.place == "area" and len(cat.areas) > 1:
            other_a = rng.choice([a for a in cat.areas if a != area])
            if not clash(office, cat.path, other_a, day):
                used.append((office, cat.path, other_a, day))
                row(
                    cat,
                    office,
                    building,
                    unit,
                    other_a,
                    day + rng.randint(0, 15),
                    split,
                    f"n{gid}",
                    phone(),
                    phrases_for(cat, split),
                )
        # Near-miss: another problem at the same place in the window.
        other_cat = rng.choice([c for c in CATS if c.place == cat.place and c.path != cat.path])
        other_key = (
            f"{building}"
            if other_cat.place == "building"
            else (area if area in other_cat.areas else other_cat.areas[0])
        )
        if not clash(office, other_cat.path, other_key, day):
            used.append((office, other_cat.path, other_key, day))
            row(
                other_cat,
                office,
                building,
                unit,
                other_key if other_cat.place == "area" else "",
                day + rng.randint(0, 15),
                split,
                f"m{gid}",
                phone(),
                phrases_for(other_cat, split),
            )

    # Single complaints, every category, spread so that two singles never look like one issue.
    for i in range(n_singles):
        cat = CATS[i % len(CATS)]
        for _attempt in range(30):
            office = rng.choice(list(OFFICES))
            nb = OFFICES[office][1]
            building, unit = rng.randint(1, nb), rng.randint(1, 3)
            area = rng.choice(cat.areas) if cat.areas else ""
            key = f"{building}" if cat.place == "building" else area
            day = rng.randint(0, 364)
            if not clash(office, cat.path, key, day):
                break
        else:
            continue
        used.append((office, cat.path, key, day))
        gid += 1
        split = "test" if rng.random() < 0.3 else "train"
        row(cat, office, building, unit, area, day, split, f"s{gid}", phone(), phrases_for(cat, split))
    for i, r in enumerate(rows, 1):
        r["id"] = i
    return rows


def main() -> None:
    rows = generate()
    with OUT.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    groups = {r["group"] for r in rows if r["group"].startswith("g")}
    print(
        f"{len(rows)} complaints, {len({r['category'] for r in rows})} categories, {len(groups)} same-issue groups"
    )
    print(
        f"train {sum(r['split'] == 'train' for r in rows)}, test {sum(r['split'] == 'test' for r in rows)} -> {OUT}"
    )


if __name__ == "__main__":
    main()
