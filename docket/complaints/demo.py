"""Demo data for Docket (`manage.py seed_demo`): an organisation, one login per role, and a few hundred
complaints driven through the real services over the last four months.

What it builds
- 华信集团 (code `huaxin`, the idempotence marker) with its property-management department user;
  two companies, 华信物业 (朝阳园 CYY, 雅苑 YY) and 安居物业 (丽景湾 LJW), each with 品质管理部, 办公室 and
  公司管理层; each office has a community with buildings, units, rooms and fictional residents (names
  made up, phones 1380000xxxx), and 客服部, 工程部, 秩序部, 保洁部, 绿化部. 朝阳园 has an owners' committee
  (朝阳园业主委员会) with a member account; 雅苑 has none (its owners are still trying to form one, as
  in the seed letter).
- External parties: 华信地产客户关系中心, 12345 政务服务便民热线, 区信访办, 区住建局物业科.
- A category tree per company (安全, 收费, 设施设备, 环境卫生, 秩序/停车, 服务态度, 地产遗留, 综合管理).
- Accounts: see DEMO_LOGINS (朝阳园 / 华信物业, one per role, plus `admin`) and DEMO_MORE_LOGINS (the
  same posts at 雅苑 `yy_*`, 丽景湾 `ljw_*` and 安居物业 `aj_*`). Every password is DEMO_PASSWORD.
- Complaints (default 300): complaints, suggestions and inquiries built from topic templates in the
  seed's tone, through every channel and method, reaching every workflow state in realistic proportions
  (most closed). Every state change goes through `complaints.services` under `clock.travel`, so each
  event carries its past time and every hash chain verifies.

Deterministic: the content comes from a seeded `random.Random` (times are relative to the moment of
loading; check codes come from the service's own secure random). Idempotent: if the group exists the
loader changes nothing. Everything is written in one transaction: a failed load leaves nothing behind
(attachment files written before a rollback stay orphaned on storage, never referenced).

Gaps filled here for want of a service (see the report in the commit): hot/major classification is set
with `Complaint.objects.filter(...).update(severity=...)` and its reason recorded as an internal note.
"""

from __future__ import annotations

import random
import struct
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from docket.accounts.models import Role, User
from docket.accounts.services import role_grant
from docket.core import clock
from docket.org.models import (
    Building,
    Community,
    Company,
    Department,
    ExternalParty,
    Group,
    Office,
    OwnersCommittee,
    Resident,
    Room,
    Unit,
)

from . import services as s
from .models import (
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintIssue,
    Exemption,
    IssueState,
    Kind,
    Method,
    Severity,
    State,
)
from .workflow import REVIEW_ROUTES

DEMO_PASSWORD = "docket-demo"
DEMO_GROUP_CODE = "huaxin"
DEFAULT_COMPLAINTS = 300
DEFAULT_SEED = 20170607  # the date on the seed's platform notice (20**年6月7日)
HISTORY_DAYS = 120

# --------------------------------------------------------------------------------------------------
# Organisation
# --------------------------------------------------------------------------------------------------

GROUP_NAME = "华信集团"
COMPANIES = {  # key: (name, code)
    "hx": ("华信物业", "hx-wy"),
    "aj": ("安居物业", "aj-wy"),
}


@dataclass(frozen=True)
class OfficeSpec:
    code: str
    company: str
    community: str
    address: str
    phone: str
    buildings: int
    floors: int
    prefix: str  # username prefix of its staff
    weight: int  # share of the complaints
    committee: str = ""

    @property
    def name(self) -> str:
        return f"{self.community}管理处"


OFFICES = [
    OfficeSpec(
        "CYY", "hx", "朝阳园", "西安市碑林区朝阳路88号", "029-8600-1001", 6, 18, "", 40, "朝阳园业主委员会"
    ),
    OfficeSpec("YY", "hx", "雅苑", "西安市碑林区雅苑路16号", "029-8600-1002", 4, 26, "yy_", 35),
    OfficeSpec("LJW", "aj", "丽景湾", "西安市雁塔区丽景路9号", "029-8600-2001", 5, 11, "ljw_", 25),
]
OFFICE_DEPTS = [  # kind, name, supervisor post
    ("customer_service", "客服部", "cs_supervisor"),
    ("engineering", "工程部", "eng_supervisor"),
    ("security", "秩序部", "sec_supervisor"),
    ("cleaning", "保洁部", "clean_supervisor"),
    ("greening", "绿化部", "green_supervisor"),
]
SUPERVISOR_POST = {kind: post for kind, _name, post in OFFICE_DEPTS}
DEPT_NAME = {kind: name for kind, name, _post in OFFICE_DEPTS}
COMPANY_DEPTS = [("qm", "品质管理部"), ("general_office", "办公室"), ("leadership", "公司管理层")]

LIMIT_DEPT_MANAGER = Decimal("500")
LIMIT_OFFICE_MANAGER = Decimal("2000")
LIMIT_QM = Decimal("5000")
LIMIT_LEADERSHIP = Decimal("50000")

# Office posts: post, role, department kind (for department roles), compensation limit, display names
# per office (CYY, YY, LJW).
OFFICE_POSTS = [
    ("reception", Role.RECEPTION, None, None, ("刘婷", "何静", "宋佳"), ""),
    ("office_manager", Role.OFFICE_MANAGER, None, LIMIT_OFFICE_MANAGER, ("陈建华", "马志刚", "韩东"), ""),
    ("cs_supervisor", Role.DEPT_SUPERVISOR, "customer_service", None, ("赵敏", "胡晓燕", "唐丽"), ""),
    ("eng_supervisor", Role.DEPT_SUPERVISOR, "engineering", None, ("王强", "郭磊", "冯超"), ""),
    ("eng_manager", Role.DEPT_MANAGER, "engineering", LIMIT_DEPT_MANAGER, ("李国栋", "林峰", "于洋"), ""),
    ("eng_staff", Role.DEPT_STAFF, "engineering", None, ("张伟", "徐斌", "董亮"), "维修工"),
    ("sec_supervisor", Role.DEPT_SUPERVISOR, "security", None, ("周勇", "高军", "萧雨"), ""),
    ("clean_supervisor", Role.DEPT_SUPERVISOR, "cleaning", None, ("吴秀兰", "罗春梅", "程芳"), ""),
    ("green_supervisor", Role.DEPT_SUPERVISOR, "greening", None, ("郑海", "梁涛", "曹明"), ""),
]
# Company posts: post, role, limit, display names per company (hx, aj), what the post does.
COMPANY_POSTS = [
    ("qm", Role.QM, LIMIT_QM, ("孙慧", "苏琳"), "审核答复"),
    ("qm_info", Role.QM, None, ("黄晓雯", "卢鹏"), "信息管理员：受理公司/网上/转交投诉，处理上报投诉"),
    ("general_office", Role.GENERAL_OFFICE, None, ("蒋文", "蔡清"), ""),
    ("mgmt_rep", Role.MGMT_REP, None, ("彭志远", "贾志明"), ""),
    ("leadership", Role.LEADERSHIP, LIMIT_LEADERSHIP, ("吕建国", "丁卫东"), "分管领导"),
]
COMPANY_PREFIX = {"hx": "", "aj": "aj_"}
GROUP_USER = ("group_property", "魏红")
COMMITTEE_USER = ("committee", "孙立新")
ADMIN_USER = ("admin", "系统管理员")


def _limit_text(limit: Decimal | None) -> str:
    return f"（赔偿审批 ≤{int(limit)} 元）" if limit is not None else ""


def _logins() -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    primary: list[tuple[str, str, str]] = [(ADMIN_USER[0], "系统管理员（superuser）", "全部（/admin/）")]
    more: list[tuple[str, str, str]] = []
    for i, o in enumerate(OFFICES):
        company = COMPANIES[o.company][0]
        rows = primary if i == 0 else more
        for post, role, dept, limit, _names, note in OFFICE_POSTS:
            where = f"{company} · {o.name}" + (f" · {DEPT_NAME[dept]}" if dept else "")
            label = str(role.label) + (f"（{note}）" if note else "")
            rows.append((f"{o.prefix}{post}", label, where + _limit_text(limit)))
        if o.committee:
            rows.append((COMMITTEE_USER[0], str(Role.COMMITTEE_MEMBER.label), f"{o.committee}（{company}）"))
    for key, (company, _code) in COMPANIES.items():
        rows = primary if key == "hx" else more
        for post, role, limit, _names, note in COMPANY_POSTS:
            label = str(role.label) + (f"（{note}）" if note else "")
            rows.append((f"{COMPANY_PREFIX[key]}{post}", label, company + _limit_text(limit)))
    primary.append((GROUP_USER[0], str(Role.GROUP_PROPERTY.label), f"{GROUP_NAME}（热点、重大投诉）"))
    return primary, more


# (username, role label, scope): the accounts to show in the README and at `make run`; all use
# DEMO_PASSWORD. Together they hold every Role.
DEMO_LOGINS, DEMO_MORE_LOGINS = _logins()

EXTERNAL_PARTIES = [  # key, kind, name, contact
    ("developer", ExternalParty.Kind.DEVELOPER, "华信地产客户关系中心", "029-8600-9000"),
    ("hotline", ExternalParty.Kind.HOTLINE, "12345 政务服务便民热线", "12345"),
    ("petition", ExternalParty.Kind.PETITION, "区信访办", "029-8600-7000"),
    ("government", ExternalParty.Kind.GOVERNMENT, "区住建局物业科", "029-8600-7100"),
]

CATEGORY_TREE = [  # top, developer_related, children
    ("安全", False, ["消防通道", "消防设施", "门禁", "监控"]),
    ("收费", False, ["物业费", "停车费", "水电费", "公共收益"]),
    ("设施设备", False, ["电梯", "供水", "外墙", "公共照明", "充电设施"]),
    ("环境卫生", False, ["垃圾清运", "公共保洁", "绿化养护"]),
    ("秩序/停车", False, ["停车管理", "噪音扰民", "装修管理"]),
    ("服务态度", False, ["保安", "客服", "维修人员"]),
    ("地产遗留", True, ["房屋质量", "外墙渗漏", "维修基金", "配套设施"]),
    ("综合管理", False, ["业主自治", "信息公开"]),
]

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
WHEN = ("上周三", "前天", "本月初", "上周末", "昨天", "这周一", "上个月底")

# --------------------------------------------------------------------------------------------------
# Topic templates. Placeholders: {bld} building, {unit}, {room}, {n} a small number, {when}, {community}.
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    key: str
    kind: str
    category: tuple[str, str]
    dept: str
    subjects: tuple[str, ...]
    descriptions: tuple[str, ...]
    demands: tuple[str, ...]
    summary: str
    findings: tuple[str, ...]
    measures: tuple[str, ...]
    done: str
    verify: str
    location: str = ""
    on_spot: str = ""
    developer: bool = False
    claim: tuple[int, int] | None = None
    claim_text: str = ""
    photo: bool = False
    collective: bool = False
    unreasonable: bool = False  # answered with a reasoned explanation (R-HDL-8)
    weight: int = 10


TOPICS: list[Topic] = [
    Topic(
        "elevator",
        Kind.COMPLAINT,
        ("设施设备", "电梯"),
        "engineering",
        (
            "{bld}电梯频繁故障，困人时值班电话无人接听",
            "{bld}{n}号电梯运行异响、平层不准",
            "{bld}电梯本月停运{n}次",
        ),
        (
            "{bld}{n}号电梯本月已经停运{n}次，每次修好没几天又坏。楼里老人多，上下楼全靠电梯，{when}晚上我母亲被困在"
            "轿厢里将近二十分钟，按了警铃没人应答，打物业值班电话打了三次才有人接。电梯是业主交了钱的，物业不能只收费不管事。",
            "{bld}电梯运行时有明显异响，停靠时轿厢和楼层地面高低差两三公分，孩子已经绊倒过一次。电梯里张贴的年检合格证也已过期，"
            "请物业给个说法。",
        ),
        (
            "彻底检修电梯，公布维保单位和维保记录，对困人事件给出书面说明。",
            "尽快维修，并告知下一次年检时间。",
        ),
        "{bld}电梯经常运行故障，得不到根本解决",
        (
            "经工程部会同电梯维保单位现场检查，{bld}{n}号电梯门机板老化、层门地坎积尘，导致门锁回路接触不良，属设备老化问题；"
            "困人当晚值班人员在巡楼，值班电话未能转接手机。",
            "维保单位检测发现曳引机制动器间隙偏大、平层感应器偏移；新的年检合格证已换发但未及时张贴。",
        ),
        (
            "更换门机板并清理地坎，维保频次由每半月一次调整为每周一次；值班电话设置无人接听自动转接；就困人事件向业主当面致歉。",
            "调整制动器间隙、校正平层感应器，张贴新的年检合格证，并在单元大堂公示维保记录。",
        ),
        "门机板已更换，电梯连续运行一周无故障，维保记录已在大堂公示。",
        "管理处经理现场试乘，运行平稳、平层准确，维保记录齐全，验证合格。",
        location="{bld}{n}号电梯",
        collective=True,
        weight=14,
    ),
    Topic(
        "facade",
        Kind.COMPLAINT,
        ("设施设备", "外墙"),
        "engineering",
        ("{bld}外墙瓷砖脱落，危及行人安全", "{bld}高层外墙瓷砖呈脱落状态，多年得不到维修"),
        (
            "{bld}朝南面十几层的外墙瓷砖呈脱落状态（照片为证），{when}又掉下来几块，砸在单元门口的雨棚上，幸好当时没人经过。"
            "这是悬在业主头上的危险物，我们反映多次一直得不到维修。",
            "下雨后{bld}外墙有瓷砖掉落，楼下就是儿童游乐区，家长们都很担心。物业只拉了一条警戒线，几个月了没有任何维修动作。",
        ),
        ("立即设置安全防护，尽快组织维修，明确维修时间表。", "请物业和开发商给出书面答复和维修计划。"),
        "{bld}外墙瓷砖脱落，长期得不到维修",
        (
            "现场检查{bld}南立面约二十平方米瓷砖空鼓，局部已脱落；该楼尚在外墙保修期内，维修须由地产协调原施工单位实施。",
            "经敲击检查，{bld}外墙空鼓面积较大，需搭设吊篮施工，维修责任需与地产公司确认。",
        ),
        (
            "在楼下设置硬质防护棚和警戒区，转地产客户关系中心协调施工单位维修，工程部每日巡查。",
            "先行清除松动瓷砖并设置防护棚，维修方案报地产客户关系中心确认后实施。",
        ),
        "施工单位已完成空鼓瓷砖铲除和重新铺贴，防护棚已拆除。",
        "工程部会同管理处经理现场检查，外墙修复面平整牢固，无空鼓，验证合格。",
        location="{bld}南立面",
        developer=True,
        claim=(800, 3000),
        claim_text="瓷砖坠落砸坏车辆前挡风玻璃的维修费用",
        photo=True,
        collective=True,
        weight=9,
    ),
    Topic(
        "fire_lane",
        Kind.COMPLAINT,
        ("安全", "消防通道"),
        "security",
        ("北门长期锁死，消防通道被车辆堵塞", "{bld}楼前消防通道停满私家车"),
        (
            "小区北门长期锁死，门口又常年被乱停的车辆阻挡，能走消防车的通道等于没有。万一着火，消防车根本进不来，"
            "这是拿业主的生命开玩笑。",
            "{bld}楼前的消防通道每天晚上都停满了车，还有人在通道上堆放杂物。保安巡逻看见了也不管。",
        ),
        ("打开北门，清理消防通道，设置禁停标识并严格管理。", "请秩序部每天清理，对屡次占道的车辆采取措施。"),
        "小区安全通道不畅，北门锁死并被车辆阻挡",
        (
            "经秩序部核实，北门因夜间治安原因被锁闭，门外被外来车辆长期占用；{bld}楼前消防通道夜间平均停放车辆四至六辆。",
        ),
        (
            "北门改为白天常开、夜间由岗亭值守可随时开启；消防通道施划黄色网格线、设置禁停牌，夜间每两小时巡查一次，"
            "对占道车辆张贴告知单并联系车主挪车。",
        ),
        "北门已恢复开启，消防通道网格线和禁停标识已完成，连续一周夜间巡查无占道。",
        "夜间抽查两次，消防通道畅通，验证合格。",
        location="北门及{bld}楼前消防通道",
        photo=True,
        collective=True,
        weight=9,
    ),
    Topic(
        "parking_fee",
        Kind.COMPLAINT,
        ("收费", "停车费"),
        "customer_service",
        ("未经业主协商大幅上调地面停车费", "停车费由150元/月涨到350元/月，要求说明依据"),
        (
            "物业在没有新的政府价格批文、也没有和业主协商的情况下，把地面停车费由每月150元提高到350元，涨幅达133%。"
            "业主车辆和外来车辆一样按6元/次收费进小区，{when}还在出口拦截未交新停车费的车辆，造成出入口堵塞。",
            "今年停车费突然上涨，通知只在电梯里贴了两天。请问涨价的依据是什么？业主大会什么时候表决过？",
        ),
        ("暂停执行新收费标准，公示价格批文和收费依据，退还多收的费用。", "请公示收费依据并召开业主座谈会。"),
        "擅自提高停车费，并在出口拦截车辆",
        (
            "经核实，停车费调整方案尚未完成价格备案和业主意见征询程序，出口拦截系秩序部执行不当。",
            "停车费调整已报区价格主管部门备案，但公示期不足，业主知情不充分。",
        ),
        (
            "暂停执行新标准、恢复原收费，多收费用在下月抵扣；补充公示价格备案文件，召开业主座谈会听取意见；对执行拦截的秩序人员进行培训。",
        ),
        "已恢复原收费标准并完成多收费用抵扣，座谈会已召开，会议纪要已公示。",
        "抽查收费记录和公示栏，已按原标准收费，验证合格。",
        location="小区出入口",
        collective=True,
        weight=8,
    ),
    Topic(
        "water_tank",
        Kind.COMPLAINT,
        ("设施设备", "供水"),
        "engineering",
        ("二次供水水箱多年未清洗，无水质检验报告", "{bld}自来水发黄有异味"),
        (
            "{bld}的生活饮用水水箱多年没有清洗，也从未公示过水质检验报告。最近家里自来水放出来发黄，烧开后壶底一层水垢，"
            "孩子喝了拉肚子。",
            "{when}开始{bld}的自来水有一股铁锈味，放很久才清。请物业查一下水箱是什么时候清洗的。",
        ),
        ("立即清洗消毒水箱，公示水质检测报告，以后按规定每半年清洗一次。",),
        "生活饮水水箱多年无清理和水质检验报告",
        ("核查记录，{bld}水箱上次清洗为十四个月前，超出每半年清洗一次的规定；现场取样浊度偏高。",),
        (
            "委托有资质的清洗单位对水箱清洗消毒，送疾控中心检测水质，报告在各单元大堂公示；建立半年清洗计划并纳入品质检查。",
        ),
        "水箱已清洗消毒，水质检测报告合格并已公示。",
        "查验清洗记录和检测报告，现场放水清澈无异味，验证合格。",
        location="{bld}地下水泵房",
        collective=True,
        weight=7,
    ),
    Topic(
        "guard",
        Kind.COMPLAINT,
        ("服务态度", "保安"),
        "security",
        ("门岗保安态度恶劣，与业主发生争执", "夜班保安值班时玩手机，对业主出言不逊"),
        (
            "{when}晚上我开车回小区，门岗保安不抬杆，非要我出示缴费凭证，我说明是业主后他态度非常恶劣，还出言不逊，"
            "引来不少人围观。物业的保安是为业主服务的，不是来管业主的。",
            "夜班保安在岗亭里玩手机，我去问快递柜的事，他头都不抬，说“不归我管”。",
        ),
        ("要求当班保安当面道歉，物业加强保安培训。",),
        "保安服务态度恶劣",
        ("调取门岗监控并约谈当班保安，确认其在业主说明身份后仍言语生硬，存在服务态度问题。",),
        ("当班保安向业主当面道歉并扣罚当月绩效；秩序部组织全员服务礼仪培训，门岗增加业主车辆识别登记。",),
        "当班保安已当面致歉，服务礼仪培训已完成，培训签到表存档。",
        "抽查门岗服务两次，礼貌用语规范，验证合格。",
        location="小区南门岗亭",
        weight=8,
    ),
    Topic(
        "garbage",
        Kind.COMPLAINT,
        ("环境卫生", "垃圾清运"),
        "cleaning",
        ("{bld}垃圾桶满溢，清运不及时", "垃圾站异味严重，蚊蝇滋生"),
        (
            "{bld}楼下的垃圾桶每天下午就满了，垃圾堆到地上，天热臭味熏天，蚊蝇很多。保洁一天只清一次，根本不够。",
            "小区西侧垃圾站离{bld}不到二十米，夏天开窗全是臭味，地面污水横流，老人孩子路过都捂着鼻子。",
        ),
        ("增加清运频次，垃圾桶每天清洗消毒。",),
        "垃圾清运不及时，异味严重",
        ("{bld}楼下垃圾桶容量不足，清运时间为每天上午一次，下午投放高峰后满溢。",),
        ("增设两组垃圾桶，清运调整为每天上午、傍晚各一次，垃圾站每日冲洗并喷洒消杀药剂。",),
        "已增设垃圾桶，清运频次调整到位，消杀记录张贴在垃圾站。",
        "连续三天傍晚检查，垃圾桶无满溢，验证合格。",
        location="{bld}楼下垃圾收集点",
        on_spot="保洁部当即安排人员清理满溢垃圾并冲洗地面，业主现场查看后确认满意。",
        weight=9,
    ),
    Topic(
        "greening",
        Kind.COMPLAINT,
        ("环境卫生", "绿化养护"),
        "greening",
        ("{bld}楼前树木遮挡采光，要求修剪", "绿化带杂草丛生，蚊虫多"),
        (
            "{bld}楼前的几棵香樟已经长到四五楼高，枝叶伸到窗户跟前，低楼层白天也要开灯，还有虫子爬进屋里。",
            "小区中心绿地的草坪很久没修剪了，杂草半人高，晚上蚊子特别多，孩子在楼下玩被咬得全身是包。",
        ),
        ("尽快修剪树枝，并定期打药除虫。",),
        "树木遮挡采光，绿化养护不到位",
        ("现场查看，{bld}楼前香樟树冠距外墙不足一米，影响一至五层采光；中心绿地已超过一个月未修剪。",),
        ("安排绿化班对树冠疏枝修剪，与外墙保持两米以上距离；本月内完成草坪修剪和全区病虫害防治。",),
        "树枝修剪、草坪修剪和病虫害防治已完成。",
        "现场查看，楼前采光明显改善，绿地整洁，验证合格。",
        location="{bld}楼前绿地",
        on_spot="绿化班当天下午修剪了遮挡窗户的树枝，业主确认满意。",
        weight=6,
    ),
    Topic(
        "noise",
        Kind.COMPLAINT,
        ("秩序/停车", "噪音扰民"),
        "security",
        ("楼上装修超时施工，噪音扰民", "广场舞音响声音太大，晚上九点后仍不停"),
        (
            "{bld}{unit}楼上在装修，中午和晚上八点以后还在用电钻，按规定装修时间是8:00-12:00、14:00-18:00，"
            "物业对装修户根本不管。",
            "中心广场的广场舞每天晚上音响开得很大，九点以后还不停，家里老人和孩子都没法休息。",
        ),
        ("督促装修户遵守装修时间，违规的停工处理。", "规定广场舞结束时间，控制音量。"),
        "噪音扰民，装修及公共秩序管理不到位",
        (
            "经核查装修登记，该户装修许可注明了施工时间，但午间和夜间确有超时施工。",
            "秩序部夜间巡查实测广场音量超过六十分贝，活动持续至21:40。",
        ),
        (
            "向装修户下发整改通知、重申装修时间，秩序部在午间和夜间加强巡查，再次违规将暂停装修出入证。",
            "与广场舞队负责人协商，活动时间调整为19:00-21:00，并配备限音音箱。",
        ),
        "已下发整改通知并加强巡查，近一周未再发现超时施工和夜间噪音。",
        "回访邻近住户并夜间巡查，未再有噪音，验证合格。",
        location="{bld}{unit}",
        on_spot="秩序部当即上门劝止超时施工，施工方停工，业主确认满意。",
        weight=8,
    ),
    Topic(
        "leak",
        Kind.COMPLAINT,
        ("设施设备", "供水"),
        "engineering",
        ("{room}卫生间顶棚漏水，吊顶和衣柜受损", "楼上管道渗漏，家中墙面发霉"),
        (
            "{room}卫生间顶棚{when}开始滴水，吊顶已经泡坏，水顺着墙流进卧室，衣柜底板发胀。找了楼上邻居，说不是他家的问题，"
            "物业来看了一次就没下文了。",
            "我家{room}厨房墙角一直渗水，墙面大片发霉，已经持续一个多月，物业说要等楼上配合，到现在也没人来修。",
        ),
        ("尽快查明漏水原因并维修，赔偿吊顶和衣柜损失。", "尽快维修，并赔偿墙面重新粉刷的费用。"),
        "房屋漏水，家中财物受损",
        ("工程部打开吊顶检查，漏水源为楼上公共排水立管接口老化渗漏，属公共部位维修范围。",),
        ("更换排水立管接口及止水节，恢复吊顶；业主财物损失按公司赔偿审批程序核定。",),
        "立管接口已更换，连续三天闭水试验无渗漏，吊顶已恢复。",
        "闭水试验合格，吊顶恢复完好，验证合格。",
        location="{room}",
        claim=(300, 4500),
        claim_text="吊顶、衣柜及墙面受损的维修费用",
        photo=True,
        weight=9,
    ),
    Topic(
        "access",
        Kind.COMPLAINT,
        ("安全", "门禁"),
        "engineering",
        ("{bld}{unit}门禁经常失灵", "单元门禁坏了一个多月没人修，外来人员随意进出"),
        (
            "{bld}{unit}的门禁经常刷卡没反应，有时候门一直关不上，外卖、推销的人随便进出，上个月楼里还有人家的电动车电瓶被偷。",
        ),
        ("尽快修好门禁，加强单元巡查。",),
        "门禁经常性故障，无法确保楼内业主安全",
        ("检查发现{bld}{unit}门禁电磁锁老化吸力不足，闭门器损坏。",),
        ("更换电磁锁和闭门器，门禁系统纳入每周巡检。",),
        "电磁锁和闭门器已更换，门禁恢复正常。",
        "现场测试刷卡、闭门均正常，验证合格。",
        location="{bld}{unit}单元门",
        on_spot="工程人员现场复位门禁控制器并调整闭门器，门禁恢复正常，业主确认满意。",
        weight=8,
    ),
    Topic(
        "cctv",
        Kind.COMPLAINT,
        ("安全", "监控"),
        "security",
        ("车辆在地面停车位被刮，监控查不到", "小区监控盲区多，丢失物品无法查证"),
        (
            "{when}我的车停在{bld}楼前车位，第二天早上发现左侧车门被刮了一长道。到监控室调录像，说那个位置是盲区看不到。"
            "我们每月交停车费，物业有保管责任。",
            "我放在{bld}车棚的电动车被偷了，去监控室查，车棚里的摄像头早就坏了。小区监控设备不完备、有许多盲区，业主丢了东西无法查证。",
        ),
        ("赔偿修车费用，增补监控盲区。", "修复车棚摄像头，协助报警追回电动车。"),
        "监控设备不完备，有许多盲区",
        ("核查监控点位图，{bld}楼前停车区和车棚无有效摄像头覆盖。",),
        (
            "在{bld}楼前、地面停车场及车棚增补四个高清摄像头，停车区夜间巡逻加密为每小时一次；损失按停车服务协议协商处理。",
        ),
        "新增摄像头已安装调试完毕，监控全覆盖停车区和车棚。",
        "监控室查看画面清晰、覆盖完整，验证合格。",
        location="{bld}楼前停车位",
        claim=(500, 2500),
        claim_text="车门刮伤喷漆维修费用",
        photo=True,
        weight=7,
    ),
    Topic(
        "utility_price",
        Kind.COMPLAINT,
        ("收费", "水电费"),
        "customer_service",
        ("小区水电价格高于市场价，要求说明", "电费0.65元/度，高出居民电价33%"),
        (
            "小区电价0.65元/度，市场居民电价0.49元/度，高出33%；水价3.26元/吨，比市场水价2.99元/吨高出9%。"
            "物业代收水电费不能加价，这违反了物业管理条例的规定。",
        ),
        ("按政府定价收取水电费，退还多收部分。",),
        "高价收取水电费",
        ("经核实，差价部分为公摊损耗和二次加压用电，但此前未向业主公示分摊依据。",),
        ("公示水电费构成和公摊计算方式；协调供电、供水部门推进抄表到户，抄表到户后按政府定价执行。",),
        "水电费构成已公示，抄表到户申请已提交供电、供水部门。",
        "公示栏内容完整，业主查询渠道畅通，验证合格。",
        collective=True,
        weight=5,
    ),
    Topic(
        "property_fee",
        Kind.COMPLAINT,
        ("收费", "物业费"),
        "customer_service",
        ("物业费缴费通知面积有误", "物业费多收，要求核对"),
        (
            "这个月收到的缴费通知上，我家{room}的面积写成了128平方米，房产证上是118平方米，多算了十平方米的物业费。",
            "{room}的物业费账单比去年多了三百多元，问前台说是系统自动算的，也说不清楚原因。",
        ),
        ("更正面积，退还多收的物业费。", "核对账单，说明收费依据。"),
        "物业费计费有误",
        ("经核对房产证和收费系统，系统录入面积有误，多计十平方米。",),
        ("更正收费系统面积并退还多收部分，全面核对本楼栋收费面积。",),
        "收费系统已更正，多收费用已退还至业主账户。",
        "核对收费系统和退费凭证，验证合格。",
        on_spot="客服当场核对房产证并更正收费系统面积，业主确认满意。",
        weight=5,
    ),
    Topic(
        "vacancy_fee",
        Kind.COMPLAINT,
        ("收费", "物业费"),
        "customer_service",
        ("长期出差房屋空置，要求减免物业费", "房屋空置未享受服务，拒绝缴纳物业费"),
        (
            "我家{room}去年全年在外地，房子一直空着，没有享受任何服务，物业却照收全额物业费，还多次上门催缴，要求全部减免。",
        ),
        ("减免空置期物业费，停止催缴。",),
        "要求减免空置期物业费",
        ("经核实，该户空置期间公共区域保洁、秩序维护、设备运行等服务照常提供，不属于合同约定的减免情形。",),
        (
            "向业主书面说明《物业服务合同》相关条款，提供近一年服务记录供查阅；催缴改为书面通知，避免频繁上门打扰。",
        ),
        "已向业主书面说明合同条款，催缴方式已调整为书面通知。",
        "查阅书面说明送达记录，验证合格。",
        unreasonable=True,
        weight=2,
    ),
    Topic(
        "fire_equipment",
        Kind.COMPLAINT,
        ("安全", "消防设施"),
        "security",
        ("各楼灭火器过期未年检", "{bld}消火栓箱空置，水带被拿走"),
        (
            "{bld}楼道里的灭火器压力表指针都在红区，标签上的年检日期是三年前的。消防安全是大事，物业怎么能这样敷衍。",
            "{bld}每层的消火栓箱里水带、水枪都不见了，有的箱门都掉了。",
        ),
        ("立即更换、年检灭火器，补齐消防器材。",),
        "各楼灭火器没有安全年检",
        ("全面检查发现{bld}共有{n}具灭火器超期未检、两处消火栓箱器材缺失。",),
        ("委托消防维保单位对全部灭火器年检和更换，补齐消火栓箱水带水枪，每月检查一次并在箱门张贴检查卡。",),
        "灭火器已全部年检更换，消火栓箱器材已补齐。",
        "逐层抽查消防器材，压力正常、标签齐全，验证合格。",
        location="{bld}各楼层楼道",
        weight=5,
    ),
    Topic(
        "public_income",
        Kind.COMPLAINT,
        ("收费", "公共收益"),
        "customer_service",
        ("电梯广告费、外墙广告费等公共收益去向不明", "要求公示小区公共收益收支"),
        (
            "小区电梯广告、外墙广告、地面停车费、小店租赁费都是利用业主共有部位取得的收益，物业从来没有公示过收支情况，"
            "业主的地面通道和自行车棚还被拿去对外经营收费。",
        ),
        ("公示近三年公共收益收支明细，收益归全体业主所有。",),
        "侵占法定属于业主的公用部位、公用设施收益",
        ("公共收益已单独记账，但未按规定每年公示。",),
        ("在公示栏和业主群公示近三年公共收益收支明细，今后每半年公示一次，并配合业主代表审计。",),
        "近三年公共收益收支明细已公示。",
        "查看公示内容完整，账目与财务记录一致，验证合格。",
        collective=True,
        weight=4,
    ),
    Topic(
        "maintenance_fund",
        Kind.COMPLAINT,
        ("地产遗留", "维修基金"),
        "customer_service",
        ("开发商迟缴住宅专项维修基金，要求退还利息",),
        (
            "开发商收缴业主的住宅专项维修基金后，迟迟没有缴存到维修基金管理中心的专用账户，挪用多年，侵吞了属于全体业主的利息收益。",
        ),
        ("开发商公开维修基金缴存情况，退还利息。",),
        "开发商侵吞住宅专用维修基金利息",
        ("经了解，维修基金由开发商代收，缴存时间确有延迟，属地产遗留问题，物业公司无权处理。",),
        ("转地产客户关系中心处理并跟进，协助业主代表向维修基金管理中心查询缴存记录。",),
        "已协助业主代表查询缴存记录，地产客户关系中心已出具书面答复。",
        "查阅地产书面答复及查询记录，验证合格。",
        developer=True,
        collective=True,
        weight=3,
    ),
    Topic(
        "house_quality",
        Kind.COMPLAINT,
        ("地产遗留", "房屋质量"),
        "engineering",
        ("{room}墙体开裂、飘窗渗水，要求开发商维修", "交房不到两年多处墙体裂缝，要求退房"),
        (
            "{room}交房不到两年，客厅和卧室墙面多处出现裂缝，下雨时飘窗渗水，墙皮大面积起鼓。找物业说是开发商的事，"
            "找开发商又推给物业。",
        ),
        ("开发商尽快维修，否则要求退房。",),
        "房屋墙体开裂、飘窗渗水",
        ("现场查看墙面裂缝为抹灰层收缩裂缝，飘窗渗水为窗框与墙体打胶老化，在保修期内，应由开发商组织维修。",),
        ("转地产客户关系中心安排施工单位维修，物业工程部全程跟进并参与验收。",),
        "施工单位已完成裂缝修补和飘窗重新打胶，淋水试验无渗漏。",
        "淋水试验合格，墙面修补平整，验证合格。",
        location="{room}",
        developer=True,
        claim=(3000, 20000),
        claim_text="墙面修复及家具受潮损失",
        photo=True,
        weight=4,
    ),
    Topic(
        "cs_attitude",
        Kind.COMPLAINT,
        ("服务态度", "客服"),
        "customer_service",
        ("前台客服推诿，报修三天无人上门", "打物业电话总是无人接听"),
        (
            "我{when}到前台报修厨房下水道堵塞，客服说登记了会有人联系，结果三天没人来，打电话问又说工程部忙，让我自己找外面的人疏通。",
            "管理处公布的投诉电话经常没人接，{when}下午打了五次都是忙音，好不容易接通，对方说“你明天再来前台说吧”。",
        ),
        ("要求管理处说明情况并改进服务。",),
        "客服推诿，报修响应不及时",
        ("查阅报修记录，该报修登记后未及时派单，客服与工程部交接脱节。",),
        (
            "当日安排维修人员上门疏通；报修实行首问负责制，登记后30分钟内派单、当日回访；对当班客服进行服务规范再培训。",
        ),
        "已上门疏通完毕，首问负责制已在前台执行。",
        "抽查一周报修记录，派单及时、回访完整，验证合格。",
        on_spot="客服主管当面致歉，并当场安排维修人员上门处理，业主确认满意。",
        weight=6,
    ),
    Topic(
        "pet",
        Kind.COMPLAINT,
        ("环境卫生", "公共保洁"),
        "cleaning",
        ("小区宠物粪便随处可见", "{bld}楼道堆放杂物、卫生差"),
        (
            "小区里遛狗不拴绳、不清理粪便的现象很普遍，草坪和人行道上到处是狗屎，孩子玩耍时踩到好几次。",
            "{bld}{unit}楼道里堆满了纸箱和旧家具，楼梯扶手全是灰，保洁好像从来不来打扫。",
        ),
        ("加强保洁和文明养犬宣传。", "清理楼道杂物，按标准保洁。"),
        "公共区域保洁不到位",
        ("巡查发现中心绿地及{bld}周边宠物粪便清理不及时；楼道杂物为个别住户堆放。",),
        (
            "增加公共区域巡回保洁频次，设置宠物粪便收集箱和文明养犬提示牌；通知住户限期清理楼道杂物，逾期由物业清理。",
        ),
        "宠物粪便收集箱和提示牌已设置，楼道杂物已清理。",
        "巡查公共区域和楼道，卫生达标，验证合格。",
        location="{bld}周边",
        on_spot="保洁员当即清理，客服现场张贴文明养犬提示，业主确认满意。",
        weight=5,
    ),
    Topic(
        "streetlight",
        Kind.COMPLAINT,
        ("设施设备", "公共照明"),
        "engineering",
        ("{bld}附近路灯不亮，晚上出行不安全", "地下车库照明灯大面积损坏"),
        (
            "{bld}到小区北门这一段路的路灯已经坏了两个星期，晚上黑漆漆的，老人下楼散步摔了一跤。",
            "地下车库B区一半的灯不亮，停车找车都很困难，也容易发生剐蹭。",
        ),
        ("尽快修复照明。",),
        "公共照明损坏未及时修复",
        ("检查发现线路接头受潮短路，{n}盏路灯灯具损坏。",),
        ("更换损坏灯具和线路接头，夜间照明纳入每周巡检。",),
        "路灯和车库照明已全部修复。",
        "夜间巡查照明正常，验证合格。",
        location="{bld}至北门道路",
        on_spot="工程人员当晚更换了损坏灯具，照明恢复，业主确认满意。",
        weight=5,
    ),
    Topic(
        "committee_room",
        Kind.COMPLAINT,
        ("综合管理", "业主自治"),
        "customer_service",
        ("物业拒绝提供业主大会筹备办公用房", "保安撕毁业主大会筹备告知书"),
        (
            "业主大会筹备工作组请求管理处按物业管理条例提供临时办公用房，被管理处断然拒绝，筹备工作缺乏议事场所。",
            "{when}下午，物业保安撕毁了筹备工作组贴在{bld}门口的业主大会成立进程告知书。",
        ),
        ("提供业主大会筹备办公用房，对撕毁告知书的行为道歉。",),
        "阻挠业主大会和业主委员会的成立",
        ("经核实，管理处未按规定答复办公用房申请；撕毁告知书系保安在清理小广告时误撕。",),
        (
            "在会所二层提供临时会议室供筹备组使用；就误撕告知书向筹备组书面致歉；对秩序部进行公告张贴管理培训。",
        ),
        "临时会议室已移交筹备组使用，书面致歉信已送达。",
        "筹备组确认会议室使用正常，验证合格。",
        collective=True,
        weight=2,
    ),
    # ---- suggestions ----
    Topic(
        "ebike",
        Kind.SUGGESTION,
        ("设施设备", "充电设施"),
        "engineering",
        ("建议增设电动车集中充电桩",),
        (
            "小区不少住户从楼上拉电线给电动车充电，还有人把电瓶拿回家充，存在很大的火灾隐患。建议在车棚增设集中充电桩。",
        ),
        ("增设充电桩，禁止飞线充电。",),
        "建议增设电动车充电设施",
        ("车棚具备安装条件，经测算可安装{n}0个充电端口。",),
        ("采纳建议，在{bld}旁车棚安装智能充电桩，同时开展飞线充电专项整治。",),
        "充电桩已安装投用，飞线充电已清理。",
        "现场查看充电桩运行正常，验证合格。",
        location="{bld}旁车棚",
        weight=6,
    ),
    Topic(
        "playground",
        Kind.SUGGESTION,
        ("环境卫生", "绿化养护"),
        "greening",
        ("建议儿童游乐区增设遮阳棚和座椅",),
        ("夏天儿童游乐区晒得滑梯烫手，家长也没地方坐。建议加装遮阳棚，旁边多放几张长椅。",),
        ("增设遮阳设施和座椅。",),
        "建议改善儿童游乐区设施",
        ("游乐区周边可种植遮阴乔木并增设座椅，遮阳棚需报业主表决使用公共收益。",),
        ("先行增设六张长椅并补植遮阴乔木，遮阳棚方案提交业主代表讨论。",),
        "长椅已安装，乔木已补植。",
        "现场查看设施完好，验证合格。",
        weight=4,
    ),
    Topic(
        "service_hours",
        Kind.SUGGESTION,
        ("服务态度", "客服"),
        "customer_service",
        ("建议前台延长服务时间并开通线上缴费",),
        (
            "上班族下班回来前台已经关门了，交费、报修都不方便。建议前台延长到晚上八点，并开通微信缴费和线上报修。",
        ),
        ("延长服务时间，开通线上缴费报修。",),
        "建议延长前台服务时间、开通线上服务",
        ("前台现服务时间为8:30-17:30，公司已有线上缴费平台但本小区未开通。",),
        ("前台服务时间延长至20:00，本月开通线上缴费和报修，并在各单元张贴二维码。",),
        "前台已延长服务时间，线上缴费和报修已开通。",
        "查看排班表和线上平台，验证合格。",
        weight=4,
    ),
    Topic(
        "garbage_sort",
        Kind.SUGGESTION,
        ("环境卫生", "垃圾清运"),
        "cleaning",
        ("建议实行垃圾分类定时定点投放",),
        ("现在垃圾分类只是摆了几个桶，大家还是混着扔。建议学习其他小区的做法，定时定点投放并安排督导员。",),
        ("推行定时定点分类投放。",),
        "建议推行垃圾分类定时定点投放",
        ("小区现有分类桶位{n}处，无督导人员，分类准确率较低。",),
        ("采纳建议，试点早晚两个时段定时定点投放，每个投放点安排督导员，一个月后评估推广。",),
        "试点已开展，督导员已到岗。",
        "抽查投放点分类情况良好，验证合格。",
        weight=3,
    ),
    # ---- inquiries ----
    Topic(
        "renovation",
        Kind.INQUIRY,
        ("秩序/停车", "装修管理"),
        "customer_service",
        ("咨询装修申请办理流程",),
        ("我家{room}准备装修，想问一下需要准备哪些材料、押金多少、多久能批下来。",),
        ("告知装修办理流程。",),
        "咨询装修申请流程",
        ("业主咨询装修申请所需材料和办理时限。",),
        ("客服部整理装修办理指引，电话告知业主并发送电子版。",),
        "已向业主发送装修办理指引。",
        "业主已按指引提交申请，验证合格。",
        on_spot="客服当场讲解装修申请流程并提供办理指引，业主表示清楚。",
        weight=6,
    ),
    Topic(
        "parking_card",
        Kind.INQUIRY,
        ("收费", "停车费"),
        "customer_service",
        ("咨询停车月卡办理",),
        ("刚买了车，想问一下小区地面和地下车位的月卡怎么办，要带什么证件，有没有空余车位。",),
        ("告知办理方式。",),
        "咨询停车月卡办理",
        ("业主咨询月卡办理手续和车位余量。",),
        ("告知办理所需行驶证、房产证复印件，地下车位尚有余量。",),
        "已告知办理流程，业主已办理月卡。",
        "核实月卡已办理，验证合格。",
        on_spot="客服当场告知办理所需材料及车位余量，业主表示满意。",
        weight=5,
    ),
    Topic(
        "invoice",
        Kind.INQUIRY,
        ("收费", "物业费"),
        "customer_service",
        ("咨询物业费电子发票开具",),
        ("去年交的物业费能不能开电子发票？单位报销需要抬头和税号。",),
        ("开具电子发票。",),
        "咨询物业费发票",
        ("业主咨询电子发票开具方式。",),
        ("由财务按业主提供的抬头税号开具电子发票并发送至邮箱。",),
        "电子发票已开具并发送。",
        "业主确认已收到发票，验证合格。",
        on_spot="客服当场登记开票信息，电子发票当日发送至业主邮箱，业主确认满意。",
        weight=5,
    ),
]
TOPIC = {t.key: t for t in TOPICS}

# The seed's seven-point letter (篇2), as the owners of 雅苑 might send it to the district petition office.
LETTER7_ISSUES = [  # summary, category, department kind, findings, measures
    (
        "1号楼、4号楼高层外墙瓷砖呈脱落状态，多年得不到维修（照片为证）",
        ("设施设备", "外墙"),
        "engineering",
        "经现场检查，1号楼、4号楼南立面约三十平方米瓷砖空鼓、局部脱落，两楼尚在外墙保修期内。",
        "已在两楼下方搭设硬质防护棚、设置警戒区，转地产客户关系中心协调原施工单位维修，工程部每日巡查。",
    ),
    (
        "北门长期锁死并被停滞车辆阻挡，消防通道不畅",
        ("安全", "消防通道"),
        "security",
        "北门因夜间治安原因被锁闭，门外被外来车辆长期占用。",
        "北门改为白天常开、夜间岗亭值守可随时开启，门外施划禁停网格线，秩序部每两小时巡查一次。",
    ),
    (
        "2-4号楼生活饮水水箱多年无清理和水质检验报告",
        ("设施设备", "供水"),
        "engineering",
        "2-4号楼水箱上次清洗为十四个月前，未按规定每半年清洗，也未公示水质检测报告。",
        "委托有资质单位清洗消毒，送检水质并在各单元公示报告，建立半年清洗计划。",
    ),
    (
        "门禁经常性故障、电梯经常运行故障，监控盲区多",
        ("安全", "门禁"),
        "engineering",
        "2号楼、4号楼门禁电磁锁老化；3号楼电梯门机板老化；停车场及车棚存在四处监控盲区。",
        "更换门禁电磁锁和电梯门机板，增补四个高清摄像头，纳入每周巡检。",
    ),
    (
        "未经协商大幅提高停车费，并在出口拦截车辆、与业主发生冲突",
        ("收费", "停车费"),
        "customer_service",
        "停车费调整方案未完成价格备案和业主意见征询程序，出口拦截系执行不当。",
        "暂停执行新标准、恢复原收费，多收费用下月抵扣；就出口拦截事件向业主公开致歉，对相关人员进行处理和培训。",
    ),
    (
        "侵占电梯广告费、外墙广告费、路面停车费等公共收益",
        ("收费", "公共收益"),
        "customer_service",
        "公共收益已单独记账，但近三年未按规定公示。",
        "公示近三年公共收益收支明细，今后每半年公示一次，并配合业主大会筹备组审计。",
    ),
    (
        "开发商迟缴住宅专用维修基金，侵吞利息收益",
        ("地产遗留", "维修基金"),
        "customer_service",
        "维修基金由开发商代收，缴存时间确有延迟，属地产遗留问题，物业公司无权处理。",
        "转地产客户关系中心处理，协助筹备组向维修基金管理中心查询缴存记录。",
    ),
]
LETTER7_TEXT = (
    "区信访办：\n"
    "    华信物业是本小区开发商华信地产指定的前期物业公司，其管理水平与服务质量使广大业主越来越不满意，"
    "经常性发生侵害业主权益事件。主要投诉内容如下：\n"
    "（一）置业主的安全于不顾：1号楼、4号楼外墙瓷砖呈脱落状态（照片为证），一直得不到维修；北门长期锁死并被停滞车辆阻挡，"
    "给消防通道畅通埋下安全隐患；2-4号楼生活饮水水箱多年无清理和质量检验报告；门禁经常性故障，电梯经常运行故障，"
    "监控设备不完备、有许多盲区。\n"
    "（二）擅自提高停车费：在未取得新的政府价格批文、也未与业主协商的情况下，地面停车费由150元/月提高到350元/月，"
    "并调集外小区保安在出口拦截车辆，造成唯一出入口堵塞，与业主发生肢体冲突，被电视台跟踪曝光。\n"
    "（三）阻挠业主大会筹备：请求管理处提供临时议事场所被断然拒绝。\n"
    "（四）侵占公共收益：电梯广告费、外墙广告费、路面停车费、小店经营租赁费去向不明。\n"
    "（五）开发商侵吞维修基金利息：住宅专用维修基金收缴后挪用多年才缴存专户。\n"
    "（六）外墙脱落等安全隐患长期未按规定报告。\n"
    "（七）物业公司与开发商实属一家，物业的不作为得到开发商的长期庇护。\n"
    "以上情况，请核查。\n"
    "雅苑小区业主大会筹备工作组"
)

# --------------------------------------------------------------------------------------------------
# Texts for the handling steps
# --------------------------------------------------------------------------------------------------

RETURN_COMMENTS = {
    "qm": (
        "答复未逐条回应业主提出的全部问题，请补充各项整改的完成时限。",
        "措辞不够诚恳，请先向业主致歉再说明情况，避免“不归我们管”一类推诿表述。",
        "调查情况表述含糊，请写明现场核查的时间和结论，不得主观臆测。",
    ),
    "general_office": (
        "涉及开发商责任的定性表述存在法律风险，请删除，改为“已转地产客户关系中心协调处理”。",
        "外发文格式不规范，请使用公司统一函件格式并注明落款单位和日期。",
        "收费依据部分请引用价格备案文件文号，避免承诺退费金额。",
    ),
}
APPROVE_COMMENTS = {
    "qm": ("内容完整，同意发出。", "已逐条回应，同意。", ""),
    "general_office": ("已审核法律风险及外发格式，同意发出。", "同意。", ""),
}
DISAGREE = (
    "业主认为只做了临时处理，要求彻底解决并给出书面承诺。",
    "业主不认可处理时限，要求一周内完成。",
    "业主不认可赔偿金额，认为不足以弥补损失。",
    "业主认为答复回避了主要问题。",
)
NEGOTIATE = (
    "管理处经理与业主面谈，详细说明整改方案和时间安排，业主表示再考虑。",
    "再次上门沟通，同意整改完成后邀请业主共同验收，业主基本认可。",
    "邀请业主代表参加协调会，逐项确认整改内容和时限。",
)
AGREE = ("业主表示认可处理方案。", "业主电话确认同意答复意见。", "业主当面表示同意。", "")
REWORK = (
    "抽查发现问题仍未彻底解决，退回责任部门返工。",
    "整改不到位，与答复承诺的措施不符，责成责任部门重新落实。",
)
OPINIONS = {
    5: ("处理及时，态度很好，非常满意。", "问题解决了，谢谢管理处。"),
    4: ("问题解决了，希望以后能主动巡查。", "总体满意，就是时间长了点。"),
    3: ("基本解决，但处理时间太长。", "一般，希望不要再出现同样问题。"),
    2: ("问题反复出现，不太满意。",),
    1: ("对处理结果不满意，保留继续投诉的权利。",),
}
WITHDRAW = (
    "业主表示问题已与邻居自行协商解决，申请撤回投诉。",
    "业主来电称误会已澄清，撤回投诉。",
    "投诉人表示不再追究，撤回投诉。",
)
UNCLOSED = (
    (
        "该问题涉及开发商遗留的规划设计缺陷，超出物业公司目前处理能力。",
        "已先行采取临时防护措施，多次上门沟通，持续向地产客户关系中心反映，并定期向业主通报进展。",
    ),
    (
        "业主诉求涉及政府定价和公共政策调整，物业公司无权决定。",
        "已向业主详细解释政策依据，协助其向主管部门反映，并承诺政策调整后第一时间执行。",
    ),
    (
        "经多轮协商，业主要求的赔偿金额远超实际损失且无依据，无法达成一致。",
        "已按实际损失提出补偿方案并书面告知，保留协商渠道，建议业主通过法律途径解决。",
    ),
)
EXPLANATIONS = (
    "物业费按《物业服务合同》约定的建筑面积和收费标准收取，房屋空置期间公共区域的保洁、秩序维护、设备运行等服务照常提供，"
    "依法不能减免；已向业主逐条耐心解释合同条款，并提供近一年的服务记录供查阅。",
    "经核实该问题不属物业服务范围，已向业主耐心说明原因，并告知可向相关部门反映的渠道。",
)
NOTES = (
    "已电话联系业主，约定明天上午上门查看。",
    "业主情绪较激动，已安抚，注意沟通方式。",
    "同类问题本月已收到多起，建议纳入月度分析。",
    "业主要求回复时同时抄送业主代表。",
)
ESCALATE = (
    "业主多次协商未达成一致，超出管理处处理权限，上报品质管理部。",
    "投诉涉及收费标准和公司政策，管理处无法答复，上报品质管理部。",
    "涉及多个部门及地产遗留问题，管理处协调困难，上报品质管理部。",
)
REFUSE = "该问题不属本部门职责范围，请重新派单。"
TRANSFER = "经现场查看，该问题属{dept}职责范围，转{dept}处理。"
DEVELOPER_ANSWERS = (
    "地产客户关系中心回复：已安排原施工单位于{n}个工作日内进场维修，费用由施工单位承担。",
    "地产客户关系中心回复：已列入保修维修计划，本月内完成，完成后通知物业共同验收。",
    "地产客户关系中心回复：相关资料已提供业主代表查阅，其余诉求由地产法务部另行书面答复。",
)
PAUSE = (
    "业主出差在外，约定返回后上门查看。",
    "需业主提供房屋维修报价单，等待业主补充材料。",
    "需楼上住户配合入户检查，已预约。",
)
UNREACHABLE = "连续三天电话回访均无人接听，短信未回复，上门未遇。"


# --------------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------------


@dataclass
class SeedResult:
    created: bool
    complaints: int = 0
    events: int = 0
    users: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    by_state: dict[str, int] = field(default_factory=dict)
    message: str = ""


class DemoConflict(Exception):
    """The database already holds something the demo would have to overwrite."""


# --------------------------------------------------------------------------------------------------
# The loader
# --------------------------------------------------------------------------------------------------


@dataclass
class _ResidentRef:
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


@dataclass
class _OfficeKit:
    spec: OfficeSpec
    office: Office
    company_key: str
    depts: dict[str, Department]
    users: dict[str, User]
    residents: list[_ResidentRef]
    buildings: list[str]
    committee: OwnersCommittee | None = None


@dataclass
class _CompanyKit:
    key: str
    company: Company
    depts: dict[str, Department]
    users: dict[str, User]
    categories: dict[tuple[str, str], Category]


@dataclass
class _IssuePlan:
    summary: str
    category: tuple[str, str]
    dept: str
    topic: Topic | None
    ctx: dict
    fixed: tuple[str, str] | None = None  # findings and measures written for this issue


@dataclass
class _Plan:
    target: str
    kit: _OfficeKit | None = None
    topic: Topic | None = None
    issues: list[_IssuePlan] = field(default_factory=list)
    kind: str = Kind.COMPLAINT
    channel: str = Channel.OFFICE
    method: str = Method.PHONE
    stop_at: str | None = None
    ending: str = ""  # "", "withdraw", "unclosed"
    received_at: datetime | None = None
    anonymous: bool = False
    who: _ResidentRef | None = None
    people: int = 1
    cosigners: list[_ResidentRef] = field(default_factory=list)
    subject: str = ""
    description: str = ""
    demand: str = ""
    location: str = ""
    spot_note: str = ""
    developer: bool = False
    home_return: bool = False
    claim: int = 0
    escalate: str = ""  # "", "early", "late"
    refuse: bool = False
    transfer: bool = False
    return_stage: str = ""
    disagree: int = 0  # negotiation rounds after disagreeing (0: agrees at once)
    rework: bool = False
    unreasonable: bool = False
    sensitive: bool = False
    risk: bool = False
    media: bool = False
    ncr: bool = False
    note: bool = False
    pause: bool = False
    photo: bool = False
    severity: str = Severity.NORMAL
    severity_reason: str = ""
    forwarder: str = ""  # key of EXTERNAL_PARTIES
    special: str = ""


class _Reached(Exception):
    """The complaint has reached the state its plan stops at."""


COVERAGE = [
    State.REGISTERED,
    State.ASSIGNED,
    State.INVESTIGATING,
    State.WITH_DEVELOPER,
    State.IN_REVIEW,
    State.REPLY_APPROVED,
    State.REPLIED,
    State.NEGOTIATING,
    State.IMPLEMENTING,
    State.VERIFYING,
    State.FOLLOW_UP,
    State.CLOSED,
    "on_spot",
    State.UNCLOSED,
    State.WITHDRAWN,
]
TARGET_WEIGHTS = {
    State.CLOSED: 660,
    "on_spot": 120,
    State.UNCLOSED: 30,
    State.WITHDRAWN: 45,
    State.REGISTERED: 8,
    State.ASSIGNED: 12,
    State.INVESTIGATING: 25,
    State.WITH_DEVELOPER: 15,
    State.IN_REVIEW: 12,
    State.REPLY_APPROVED: 8,
    State.REPLIED: 15,
    State.NEGOTIATING: 12,
    State.IMPLEMENTING: 15,
    State.VERIFYING: 8,
    State.FOLLOW_UP: 15,
}
# How long ago (days) a complaint that ends up in each state arrived.
AGE_DAYS = {
    State.REGISTERED: (0.02, 0.2),
    State.ASSIGNED: (0.05, 0.8),
    State.INVESTIGATING: (0.5, 4),
    State.WITH_DEVELOPER: (4, 25),
    State.IN_REVIEW: (1, 5),
    State.REPLY_APPROVED: (1, 5),
    State.REPLIED: (1, 7),
    State.NEGOTIATING: (4, 15),
    State.IMPLEMENTING: (3, 12),
    State.VERIFYING: (5, 14),
    State.FOLLOW_UP: (5, 14),
    State.CLOSED: (8, HISTORY_DAYS),
    "on_spot": (0.1, HISTORY_DAYS),
    State.UNCLOSED: (35, HISTORY_DAYS),
    State.WITHDRAWN: (1, HISTORY_DAYS),
}
# Channel/method combinations with their weights; every channel and every method appears.
COMBOS = [
    ((Channel.OFFICE, Method.PHONE), 28),
    ((Channel.OFFICE, Method.VISIT), 16),
    ((Channel.OFFICE, Method.LETTER), 5),
    ((Channel.OFFICE, Method.EMAIL), 3),
    ((Channel.OFFICE, Method.FAX), 1),
    ((Channel.COMPANY, Method.PHONE), 3),
    ((Channel.COMPANY, Method.EMAIL), 4),
    ((Channel.COMPANY, Method.LETTER), 2),
    ((Channel.COMPANY, Method.FAX), 1),
    ((Channel.DEVELOPER, Method.DEVELOPER_FORWARD), 5),
    ((Channel.GROUP, Method.EMAIL), 2),
    ((Channel.GROUP, Method.LETTER), 1),
    ((Channel.GOVERNMENT, Method.GOVERNMENT_FORWARD), 7),
    ((Channel.ONLINE, Method.ONLINE), 12),
    ((Channel.COMMITTEE, Method.VISIT), 2),
    ((Channel.COMMITTEE, Method.LETTER), 2),
    ((Channel.SUGGESTION_BOX, Method.LETTER), 5),
]
# Forced on the first fully closed complaints so that small loads still use every channel and method.
COMBO_TOUR = [
    (Channel.OFFICE, Method.PHONE),
    (Channel.OFFICE, Method.VISIT),
    (Channel.OFFICE, Method.LETTER),
    (Channel.COMPANY, Method.FAX),
    (Channel.COMPANY, Method.EMAIL),
    (Channel.DEVELOPER, Method.DEVELOPER_FORWARD),
    (Channel.GROUP, Method.EMAIL),
    (Channel.GOVERNMENT, Method.GOVERNMENT_FORWARD),
    (Channel.ONLINE, Method.ONLINE),
    (Channel.COMMITTEE, Method.VISIT),
    (Channel.SUGGESTION_BOX, Method.LETTER),
]
COMPANY_SIDE = {Channel.COMPANY, Channel.DEVELOPER, Channel.GROUP, Channel.GOVERNMENT, Channel.ONLINE}
REVIEWED = {m for m, stages in REVIEW_ROUTES.items() if stages}


def _png(rng: random.Random, w: int = 96, h: int = 64) -> bytes:
    """A small generated PNG standing in for the owner's photo ("照片为证"): a shaded checkerboard."""
    base = [rng.randint(60, 200) for _ in range(3)]
    rows = []
    for y in range(h):
        light = bytes(min(255, c + (y * 40) // h) for c in base)
        dark = bytes(min(255, c + 30 + (y * 40) // h) for c in base)
        a, b = (light, dark) if (y // 12) % 2 else (dark, light)
        rows.append(b"\x00" + ((a * 12 + b * 12) * (w // 24 + 1))[: w * 3])

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def _date(t: datetime) -> str:
    d = clock.to_local(t)
    return f"{d.year}年{d.month}月{d.day}日"


class _Loader:
    def __init__(self, *, seed: int, horizon: datetime, log: Callable[[str], None]):
        self.rng = random.Random(seed)
        self.horizon = horizon
        self.log = log
        self.offices: list[_OfficeKit] = []
        self.companies: dict[str, _CompanyKit] = {}
        self.parties: dict[str, ExternalParty] = {}
        self.group: Group | None = None
        self.group_user: User | None = None
        self.users = 0
        self._phones = 0
        self._names: set[str] = set()

    # ---- organisation ---------------------------------------------------------------------------

    def _user(self, username: str, display: str, password: str, **extra) -> User:
        self.users += 1
        return User.objects.create(
            username=username,
            display_name=display,
            password=password,
            phone=f"1390000{self.users:04d}",
            **extra,
        )

    def _person(self) -> str:
        rng = self.rng
        for _ in range(50):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            if name not in self._names:
                break
        self._names.add(name)
        return name

    def build_org(self) -> None:
        wanted = [u for u, _r, _s in DEMO_LOGINS + DEMO_MORE_LOGINS if u != ADMIN_USER[0]]
        taken = list(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        if taken:
            raise DemoConflict(f"demo usernames already exist: {', '.join(sorted(taken))}")
        password = make_password(DEMO_PASSWORD)
        self.group = Group.objects.create(name=GROUP_NAME, code=DEMO_GROUP_CODE)
        self.group_user = self._user(GROUP_USER[0], GROUP_USER[1], password)
        role_grant(user=self.group_user, role=Role.GROUP_PROPERTY, scope_obj=self.group)
        if not User.objects.filter(username=ADMIN_USER[0]).exists():
            self._user(ADMIN_USER[0], ADMIN_USER[1], password, is_staff=True, is_superuser=True)
        for key, kind, name, contact in EXTERNAL_PARTIES:
            self.parties[key] = ExternalParty.objects.create(
                group=self.group, kind=kind, name=name, contact=contact
            )

        for n, (key, (name, code)) in enumerate(COMPANIES.items()):
            company = Company.objects.create(group=self.group, name=name, code=code)
            depts = {
                kind: Department.objects.create(company=company, kind=kind, name=label)
                for kind, label in COMPANY_DEPTS
            }
            users = {}
            for post, role, limit, names, _note in COMPANY_POSTS:
                u = self._user(f"{COMPANY_PREFIX[key]}{post}", names[n], password)
                role_grant(user=u, role=role, scope_obj=company, compensation_limit=limit)
                users[post] = u
            categories: dict[tuple[str, str], Category] = {}
            for sort, (top, dev, children) in enumerate(CATEGORY_TREE):
                parent = Category.objects.create(company=company, name=top, developer_related=dev, sort=sort)
                categories[(top, "")] = parent
                for i, child in enumerate(children):
                    categories[(top, child)] = Category.objects.create(
                        company=company, parent=parent, name=child, developer_related=dev, sort=i
                    )
            self.companies[key] = _CompanyKit(key, company, depts, users, categories)

        for i, spec in enumerate(OFFICES):
            self.offices.append(self._build_office(spec, i, password))

    def _build_office(self, spec: OfficeSpec, index: int, password: str) -> _OfficeKit:
        rng = self.rng
        company = self.companies[spec.company].company
        office = Office.objects.create(company=company, name=spec.name, code=spec.code, phone=spec.phone)
        community = Community.objects.create(office=office, name=spec.community, address=spec.address)
        depts = {
            kind: Department.objects.create(company=company, office=office, kind=kind, name=name)
            for kind, name, _post in OFFICE_DEPTS
        }
        users = {}
        for post, role, dept, limit, names, _note in OFFICE_POSTS:
            u = self._user(f"{spec.prefix}{post}", names[index], password)
            role_grant(user=u, role=role, scope_obj=depts[dept] if dept else office, compensation_limit=limit)
            users[post] = u
        committee = None
        if spec.committee:
            committee = OwnersCommittee.objects.create(community=community, name=spec.committee)
            u = self._user(COMMITTEE_USER[0], COMMITTEE_USER[1], password)
            role_grant(user=u, role=Role.COMMITTEE_MEMBER, scope_obj=committee)
            users["committee"] = u

        bld_names = [f"{b}号楼" for b in range(1, spec.buildings + 1)]
        buildings = Building.objects.bulk_create([Building(community=community, name=b) for b in bld_names])
        units = Unit.objects.bulk_create(
            [Unit(building=b, name=f"{u}单元") for b in buildings for u in (1, 2)]
        )
        rooms = Room.objects.bulk_create(
            [
                Room(unit=u, number=f"{floor}{door:02d}")
                for u in units
                for floor in range(1, spec.floors + 1)
                for door in (1, 2)
            ]
        )
        labels = {}
        for r in rooms:
            labels[r.pk] = (r.unit.building.name, r.unit.name, r.number)
        chosen = rng.sample(rooms, 48)
        residents = []
        for r in chosen:
            self._phones += 1
            residents.append(
                Resident(
                    room=r,
                    name=self._person(),
                    phone=f"1380000{self._phones:04d}",
                    kind=Resident.Kind.TENANT if rng.random() < 0.15 else Resident.Kind.OWNER,
                )
            )
        Resident.objects.bulk_create(residents)
        refs = []
        for res in residents:
            bld, unit, number = labels[res.room_id]
            refs.append(
                _ResidentRef(
                    res.pk,
                    res.name,
                    rng.choice(("先生", "女士")),
                    res.phone,
                    res.room_id,
                    f"{bld}{unit}{number}",
                    bld,
                    unit,
                )
            )
        return _OfficeKit(spec, office, spec.company, depts, users, refs, bld_names, committee)

    # ---- planning -------------------------------------------------------------------------------

    def _age(self, target: str) -> datetime:
        lo, hi = AGE_DAYS[target]
        return self.horizon - timedelta(days=self.rng.uniform(lo, hi))

    def _daytime(self, t: datetime, online: bool) -> datetime:
        """Move an arrival into reception hours (8:00–20:00), never later than it was."""
        local = clock.to_local(t)
        if online and self.rng.random() < 0.3:
            return t
        if local.hour >= 20:
            local = local.replace(hour=self.rng.randint(16, 19), minute=self.rng.randint(0, 59))
        elif local.hour < 8:
            local = (local - timedelta(days=1)).replace(
                hour=self.rng.randint(16, 19), minute=self.rng.randint(0, 59)
            )
        return local.astimezone(t.tzinfo)

    def _ctx(self, kit: _OfficeKit, who: _ResidentRef | None) -> dict:
        rng = self.rng
        ref = who or rng.choice(kit.residents)
        return {
            "bld": ref.bld,
            "unit": ref.unit,
            "room": ref.room,
            "n": rng.randint(2, 5),
            "when": rng.choice(WHEN),
            "community": kit.spec.community,
        }

    def plans(self, count: int) -> list[_Plan]:
        rng = self.rng
        # One of each state first (the on-the-spot one an inquiry, the follow-up one a suggestion), so
        # that even a small load shows everything; then the seven-point letter and a repeat cluster.
        kinds = {"on_spot": Kind.INQUIRY, State.FOLLOW_UP: Kind.SUGGESTION}
        slots: list[tuple[str, str]] = [(t, kinds.get(t, "")) for t in COVERAGE]
        slots += [(State.UNCLOSED, "letter7")] + [(State.CLOSED, "cluster")] * 3
        targets = list(TARGET_WEIGHTS)
        weights = list(TARGET_WEIGHTS.values())
        while len(slots) < count:
            slots.append((rng.choices(targets, weights)[0], ""))
        slots = slots[:count]
        tour = list(COMBO_TOUR)
        out = []
        cluster_day = self.horizon - timedelta(days=rng.uniform(40, 60))
        for target, special in slots:
            combo = None
            if target == State.CLOSED and not special and tour:
                combo = tour.pop(0)
            if special == "letter7":
                out.append(self._plan_letter7())
            elif special == "cluster":
                out.append(self._plan_cluster(cluster_day, len([p for p in out if p.special == "cluster"])))
            else:
                out.append(self._plan(target, combo, kind=special))
        return out

    def _pick_combo(self, target: str) -> tuple[str, str]:
        rng = self.rng
        combos = [c for c, _w in COMBOS]
        weights = [w for _c, w in COMBOS]
        while True:
            channel, method = rng.choices(combos, weights)[0]
            if target in (State.IN_REVIEW, State.REPLY_APPROVED) and method not in REVIEWED:
                continue
            return channel, method

    def _plan(self, target: str, combo: tuple[str, str] | None, kind: str = "") -> _Plan:
        rng = self.rng
        p = _Plan(target=target)
        if target == "on_spot":
            p.channel, p.method = Channel.OFFICE, rng.choice((Method.PHONE, Method.PHONE, Method.VISIT))
        else:
            p.channel, p.method = combo or self._pick_combo(target)
        # office
        if p.channel == Channel.COMMITTEE:
            p.kit = self.offices[0]
        else:
            p.kit = rng.choices(self.offices, [o.spec.weight for o in self.offices])[0]
        kit = p.kit
        # what ends where
        if target == State.UNCLOSED:
            p.stop_at = rng.choice(
                (State.NEGOTIATING, State.NEGOTIATING, State.WITH_DEVELOPER, State.INVESTIGATING)
            )
            p.ending = "unclosed"
        elif target == State.WITHDRAWN:
            p.stop_at = rng.choice(
                (State.REGISTERED, State.ASSIGNED, State.INVESTIGATING, State.INVESTIGATING, State.REPLIED)
            )
            p.ending = "withdraw"
        elif target not in (State.CLOSED, "on_spot"):
            p.stop_at = target
        # topic
        if target == "on_spot":
            pool = [t for t in TOPICS if t.on_spot and (t.kind == kind or not kind)]
        elif p.stop_at == State.WITH_DEVELOPER:
            pool = [t for t in TOPICS if t.developer]
        else:
            if not kind:
                kind = rng.choices((Kind.COMPLAINT, Kind.SUGGESTION, Kind.INQUIRY), (80, 11, 9))[0]
                if p.channel == Channel.SUGGESTION_BOX:
                    kind = rng.choice((Kind.COMPLAINT, Kind.SUGGESTION, Kind.SUGGESTION))
                # Forwarded and escalated-looking paths are complaints.
                if (
                    p.channel in (Channel.DEVELOPER, Channel.GOVERNMENT, Channel.GROUP)
                    or p.ending == "unclosed"
                    or p.stop_at == State.NEGOTIATING
                ):
                    kind = Kind.COMPLAINT
            pool = [t for t in TOPICS if t.kind == kind]
        p.topic = topic = rng.choices(pool, [t.weight for t in pool])[0]
        p.kind = topic.kind
        p.received_at = self._daytime(self._age(target), p.method == Method.ONLINE)

        # complainant
        p.anonymous = rng.random() < {Channel.SUGGESTION_BOX: 0.6, Channel.ONLINE: 0.25}.get(
            p.channel, 0.05 if p.method == Method.PHONE else 0.0
        )
        if target == "on_spot":
            p.anonymous = False
        p.who = rng.choice(kit.residents)
        ctx = self._ctx(kit, p.who)
        multi = (
            p.method in (Method.LETTER, Method.GOVERNMENT_FORWARD, Method.EMAIL)
            and p.kind == Kind.COMPLAINT
            and target != "on_spot"
            and p.stop_at != State.WITH_DEVELOPER
            and rng.random() < 0.25
        )
        if multi:
            self._compose_multi(p, kit)
        else:
            p.subject = rng.choice(topic.subjects).format(**ctx)
            p.description = rng.choice(topic.descriptions).format(**ctx)
            p.demand = rng.choice(topic.demands).format(**ctx)
            p.location = topic.location.format(**ctx)
            p.issues = [_IssuePlan(topic.summary.format(**ctx), topic.category, topic.dept, topic, ctx)]
            if topic.collective and not p.anonymous and rng.random() < 0.12:
                p.people = rng.randint(3, 15)
        if p.people > 1:
            others = [r for r in kit.residents if r is not p.who]
            p.cosigners = rng.sample(others, min(p.people - 1, rng.randint(2, 8)))
        if target == "on_spot":
            p.spot_note = topic.on_spot
            return p

        # handling features
        p.photo = topic.photo and rng.random() < 0.4
        p.developer = p.stop_at == State.WITH_DEVELOPER or (topic.developer and rng.random() < 0.85)
        p.home_return = topic.key == "house_quality" and rng.random() < 0.3
        if topic.claim and rng.random() < 0.55 and p.kind == Kind.COMPLAINT:
            lo, hi = topic.claim
            amount = rng.randint(lo, hi)
            if rng.random() < 0.1:
                amount = rng.randint(8000, 80000)
            p.claim = amount // 10 * 10
        deep = p.stop_at not in (State.REGISTERED, State.ASSIGNED)
        complaint = p.kind == Kind.COMPLAINT
        p.escalate = "" if not (deep and complaint) else rng.choices(("", "early", "late"), (88, 7, 5))[0]
        if p.ending == "unclosed" and p.escalate == "" and rng.random() < 0.5:
            p.escalate = "early"
        single = len(p.issues) == 1
        p.refuse = single and rng.random() < 0.04
        p.transfer = single and not p.refuse and rng.random() < 0.05
        if p.method in REVIEWED and rng.random() < 0.25:
            stages = REVIEW_ROUTES[p.method]
            p.return_stage = rng.choice(stages)
        if p.stop_at == State.NEGOTIATING or (complaint and rng.random() < 0.12):
            p.disagree = rng.randint(1, 2)
        if p.escalate == "late" and not p.disagree:
            p.disagree = 1
        p.rework = complaint and rng.random() < 0.06
        p.unreasonable = topic.unreasonable
        p.sensitive = topic.key in ("public_income", "committee_room") and rng.random() < 0.5
        p.risk = complaint and (rng.random() < 0.03 or (p.people >= 5 and rng.random() < 0.3))
        p.ncr = bool(p.escalate and rng.random() < 0.5) or (
            topic.key in ("guard", "water_tank", "parking_fee") and rng.random() < 0.25
        )
        p.note = rng.random() < 0.2
        p.pause = rng.random() < 0.05
        self._forwarding(p)
        self._classify(p)
        return p

    def _compose_multi(self, p: _Plan, kit: _OfficeKit) -> None:
        rng = self.rng
        pool = [t for t in TOPICS if t.kind == Kind.COMPLAINT and not t.developer and not t.unreasonable]
        chosen = rng.sample(pool, rng.randint(3, 5))
        numerals = "一二三四五六七"
        parts, issues = [], []
        for i, t in enumerate(chosen):
            ctx = self._ctx(kit, None)
            issues.append(_IssuePlan(t.summary.format(**ctx), t.category, t.dept, t, ctx))
            parts.append(
                f"（{numerals[i]}）{t.summary.format(**ctx)}：{rng.choice(t.descriptions).format(**ctx)}"
            )
        p.issues = issues
        p.topic = chosen[0]
        p.subject = rng.choice(
            (
                "关于{c}物业服务存在问题的联名投诉信",
                "关于{c}管理处多项服务问题的投诉",
                "{c}业主关于小区安全隐患和服务质量的投诉",
            )
        ).format(c=kit.spec.community)
        c = kit.spec.community
        p.description = (
            f"{c}管理处：\n    我们是{c}的业主，近一段时间以来小区物业服务问题频发，多次口头反映得不到解决，"
            "现将主要问题书面反映如下：\n"
            + "\n".join(parts)
            + "\n    以上问题请管理处逐条核查，并在规定时间内书面答复。"
        )
        p.demand = "逐条整改并书面答复，公布整改时间表。"
        if not p.anonymous and rng.random() < 0.5:
            p.people = rng.randint(3, 12)

    def _forwarding(self, p: _Plan) -> None:
        if p.method == Method.DEVELOPER_FORWARD:
            p.forwarder = "developer"
        elif p.method == Method.GOVERNMENT_FORWARD:
            p.forwarder = self.rng.choice(("hotline", "hotline", "petition", "government"))

    def _classify(self, p: _Plan) -> None:
        """Hot/major by the seed's rules (R-ESC) from the facts the plan knows at intake."""
        if p.media or p.people >= 10:
            p.severity = Severity.MAJOR
            p.severity_reason = "已被媒体曝光" if p.media else f"{p.people}人集体投诉（10人以上）"
        elif p.people >= 3 or p.risk:
            p.severity = Severity.HOT
            p.severity_reason = (
                f"{p.people}人集体投诉（3人以上）" if p.people >= 3 else "可能引发诉讼或媒体曝光"
            )

    def _plan_letter7(self) -> _Plan:
        rng = self.rng
        kit = next(o for o in self.offices if o.spec.code == "YY")
        p = _Plan(
            target=State.UNCLOSED,
            kit=kit,
            channel=Channel.GOVERNMENT,
            method=Method.GOVERNMENT_FORWARD,
            stop_at=State.NEGOTIATING,
            ending="unclosed",
            special="letter7",
        )
        p.received_at = self._daytime(self.horizon - timedelta(days=rng.uniform(70, 90)), False)
        p.who = kit.residents[0]
        p.people = 12
        p.cosigners = kit.residents[1:9]
        p.subject = "关于华信物业雅苑管理处侵害业主权益的投诉书"
        p.description = LETTER7_TEXT
        p.demand = "逐条整改，公示收费依据和公共收益，尽快维修外墙，支持业主大会成立。"
        p.location = "雅苑小区"
        ctx = self._ctx(kit, p.who)
        p.issues = [
            _IssuePlan(summary, cat, dept, None, ctx, (f, m)) for summary, cat, dept, f, m in LETTER7_ISSUES
        ]
        p.topic = TOPIC["facade"]
        p.photo = True
        p.developer = True
        p.escalate = "early"
        p.return_stage = "general_office"
        p.disagree = 2
        p.media = p.risk = True
        p.ncr = True
        p.forwarder = "petition"
        self._classify(p)
        p.severity_reason = "已被媒体曝光；12人集体投诉（10人以上）"
        return p

    def _plan_cluster(self, day: datetime, i: int) -> _Plan:
        """The same complaint from different owners within a month: hot from the third on (R-ESC-1)."""
        rng = self.rng
        kit = next(o for o in self.offices if o.spec.code == "YY")
        topic = TOPIC["parking_fee"]
        p = _Plan(
            target=State.CLOSED,
            kit=kit,
            topic=topic,
            channel=Channel.OFFICE,
            method=(Method.VISIT, Method.PHONE, Method.LETTER)[i % 3],
            special="cluster",
        )
        p.received_at = self._daytime(day + timedelta(days=3 * i, hours=rng.uniform(0, 8)), False)
        p.who = kit.residents[10 + i]
        ctx = self._ctx(kit, p.who)
        p.subject = topic.subjects[i % len(topic.subjects)]
        p.description = topic.descriptions[i % len(topic.descriptions)].format(**ctx)
        p.demand = topic.demands[0]
        p.location = topic.location
        p.issues = [_IssuePlan(topic.summary, topic.category, topic.dept, topic, ctx)]
        p.disagree = 1 if i == 2 else 0
        if i >= 2:
            p.severity = Severity.HOT
            p.severity_reason = "一个月内三名以上不同投诉人的相同投诉（停车费上涨）"
        return p

    # ---- running --------------------------------------------------------------------------------

    def run(self, plans: list[_Plan]) -> None:
        plans.sort(key=lambda p: p.received_at)
        for n, p in enumerate(plans, start=1):
            _Life(self, p).run()
            if n % 100 == 0:
                self.log(f"  {n} complaints …")


class _Life:
    """One complaint's history: registration, then the plan's steps through the services, each at its own
    past moment, stopping at the plan's state."""

    def __init__(self, loader: _Loader, plan: _Plan):
        self.L = loader
        self.p = plan
        self.rng = loader.rng
        self.t = plan.received_at
        # Most complaints are handled promptly and meet their deadlines; some drag (R-SLA statistics).
        self.pace = loader.rng.choices((0.3, 1.0, 2.5), (70, 20, 10))[0]
        self.oral = plan.method in (Method.PHONE, Method.VISIT, Method.ONLINE)
        self.replied = False
        self.kit = plan.kit
        self.co = loader.companies[plan.kit.company_key]
        self.cid = 0
        self.state = State.REGISTERED
        self.escalated = False
        self.lead = ""
        self.issue_ids: list[int] = []
        self.found: dict[int, tuple[str, str]] = {}
        self.forwarder_answered = False

    # time and steps

    def _advance(self, lo_h: float, hi_h: float, raw: bool = False) -> None:
        """Move this complaint's clock on by a step's delay, into office hours, never past the moment of
        loading. The delay is scaled by the complaint's pace, and shortened before an oral or online
        complaint's reply (due the same day); `raw` delays (third parties, the owner) are not scaled."""
        rng = self.rng
        factor = 1.0 if raw else self.pace * (0.12 if self.oral and not self.replied else 1.0)
        nxt = self.t + timedelta(hours=rng.uniform(lo_h, hi_h) * factor)
        local = clock.to_local(nxt)
        if local.hour >= 18 or local.hour < 8:
            day = local if local.hour < 8 else local + timedelta(days=1)
            local = day.replace(hour=8, minute=30) + timedelta(minutes=rng.randint(0, 60))
            nxt = local.astimezone(self.t.tzinfo)
        if nxt >= self.L.horizon:
            nxt = self.t + (self.L.horizon - self.t) * rng.uniform(0.2, 0.5)
        self.t = max(nxt, self.t)

    def do(self, lo_h: float, hi_h: float, fn, raw: bool = False, **kw):
        """A step of the main path: stop first if the plan's state has been reached."""
        if self.p.stop_at is not None and self.state == self.p.stop_at:
            raise _Reached
        result = self.side(lo_h, hi_h, fn, raw=raw, **kw)
        with connection.cursor() as cursor:  # plain SQL: this runs after every step
            cursor.execute(f"SELECT state FROM {Complaint._meta.db_table} WHERE id = %s", [self.cid])
            self.state = cursor.fetchone()[0]
        return result

    def side(self, lo_h: float, hi_h: float, fn, raw: bool = False, **kw):
        """A step that does not move the complaint (notes, claims, reports)."""
        self._advance(lo_h, hi_h, raw)
        with clock.travel(self.t):
            return fn(complaint_id=self.cid, **kw)

    # who does what

    def sup(self, kind: str) -> User:
        return self.kit.users[SUPERVISOR_POST[kind]]

    def handler(self) -> User:
        return self.co.users["qm_info"] if self.escalated else self.sup(self.lead)

    def front(self) -> User:
        if self.escalated or self.p.channel in COMPANY_SIDE:
            return self.co.users["qm_info"]
        return self.kit.users["reception"]

    def registrar(self) -> User:
        if self.p.channel == Channel.COMMITTEE:
            return self.kit.users["committee"]
        if self.p.channel in COMPANY_SIDE:
            return self.co.users["qm_info"]
        return self.kit.users["reception"]

    def assigner(self) -> User:
        if self.p.channel in COMPANY_SIDE:
            if len(self.p.issues) > 1 and self.rng.random() < 0.5:
                return self.co.users["mgmt_rep"]
            return self.co.users["qm_info"]
        return self.kit.users["reception"]

    def dept_id(self, kind: str) -> int:
        return self.kit.depts[kind].id

    # the story

    def run(self) -> None:
        p = self.p
        data = self._input()
        with clock.travel(self.t):
            c = s.complaint_register(
                actor=self.registrar(), data=data, close_on_spot_note=p.spot_note or None
            ).complaint
        self.cid, self.state = c.id, c.state
        self.issue_ids = list(c.issues.order_by("seq").values_list("id", flat=True))
        if p.spot_note:
            return
        if p.severity != Severity.NORMAL:
            self._classify_record()
        try:
            self._path()
            if p.stop_at is not None and self.state != p.stop_at:
                raise RuntimeError(f"demo plan for {p.stop_at} ended in {self.state}")
        except _Reached:
            pass
        if p.ending == "withdraw":
            self._forwarder_reply("投诉人已申请撤回投诉")
            actor = self.co.users["qm_info"] if self.escalated else self.kit.users["reception"]
            self.side(2, 72, s.complaint_withdraw, actor=actor, reason=self.rng.choice(WITHDRAW))
        elif p.ending == "unclosed":
            analysis, mitigation = self.rng.choice(UNCLOSED)
            if p.special == "letter7":
                analysis = "来信所列维修基金利息、开发与物业分离等问题属开发商及政府主管部门职权，超出物业公司处理能力。"
            actor = (
                (self.co.users["leadership"] if self.rng.random() < 0.5 else self.co.users["qm"])
                if self.escalated
                else self.kit.users["office_manager"]
            )
            self.side(
                48,
                360,
                s.complaint_close_unclosed,
                actor=actor,
                analysis=analysis,
                mitigation=mitigation,
                raw=True,
            )
            self._forwarder_reply("经专项分析属超出公司处理能力的问题，已作未关闭处理并持续跟进")

    def _classify_record(self) -> None:
        """Hot/major with its reason (R-ESC-3), then the report to the group within 4 hours (hot) or at once
        (major) (R-ESC-1/2)."""
        p, qm = self.p, self.co.users["qm"]
        current = Complaint.objects.filter(pk=self.cid).values_list("severity", flat=True).get()
        if current == Severity.NORMAL or (current == Severity.HOT and p.severity == Severity.MAJOR):
            # Raised by hand unless an automatic rule got there first.
            self.side(0.2, 1.5, s.severity_raise, actor=qm, severity=p.severity, reason=p.severity_reason)
        major = p.severity == Severity.MAJOR
        self.side(
            0.1 if major else 0.5,
            0.5 if major else 3.5,
            s.group_report_record,
            actor=qm,
            content=f"{self.kit.spec.name}：{p.subject}（{p.people}人）。",
            cause=f"{p.severity_reason}；" + "；".join(i.summary for i in p.issues[:3]) + "。",
            handling="已派责任部门现场核查，管理处经理牵头处理，品质管理部跟进。",
            difficulties="部分问题涉及收费政策或地产遗留，需协调开发商。" if p.developer or major else "",
            help_needed="请集团物业管理部协调地产客户关系中心。" if p.developer else "",
        )

    def _forwarder_reply(self, outcome: str = "已答复投诉人") -> None:
        """Answer the government body or developer that forwarded the complaint (R-EXP-8), once."""
        if not self.p.forwarder or self.forwarder_answered:
            return
        self.forwarder_answered = True
        party = self.L.parties[self.p.forwarder].name
        self.side(
            1,
            24,
            s.forwarder_reply_record,
            actor=self.co.users["qm_info"],
            text=f"{party}：贵单位转办的投诉（{self.p.subject}）已由{self.kit.spec.name}核实处理，{outcome}。",
        )

    def _input(self) -> s.ComplaintInput:
        p, rng = self.p, self.rng
        who = p.who
        due = None
        ref = ""
        if p.forwarder:
            stamp = clock.to_local(p.received_at).strftime("%Y%m%d")
            ref = {
                "developer": f"KF-{stamp}-{rng.randint(100, 999)}",
                "hotline": f"12345-{stamp}-{rng.randint(1000, 9999)}",
                "petition": f"信访转字〔{stamp[:4]}〕{rng.randint(10, 300)}号",
                "government": f"住建物业函〔{stamp[:4]}〕{rng.randint(10, 99)}号",
            }[p.forwarder]
            due = p.received_at + timedelta(days={"developer": 3, "hotline": 2}.get(p.forwarder, 15))
        attachments = []
        if p.photo:
            attachments.append(s.UploadInput(name="现场照片.png", content=_png(rng)))
        people = p.people
        return s.ComplaintInput(
            office_id=self.kit.office.id,
            channel=p.channel,
            method=p.method,
            subject=p.subject,
            description=p.description,
            kind=p.kind,
            anonymous=p.anonymous,
            complainant_name=""
            if p.anonymous
            else (who.polite if people == 1 else f"{who.name}等{people}人"),
            complainant_phone="" if p.anonymous else who.phone,
            complainant_address="" if p.anonymous else who.room,
            room_id=None if p.anonymous else who.room_id,
            location=p.location,
            people_count=people,
            demand=p.demand,
            issues=[
                s.IssueInput(summary=i.summary, category_id=self.co.categories[i.category].id)
                for i in p.issues
            ],
            cosigners=[s.CoSignerInput(name=r.name, room=r.room, phone=r.phone) for r in p.cosigners],
            attachments=attachments,
            legal_or_media_risk=p.risk,
            media_exposed=p.media,
            compensation_claimed=bool(p.claim),
            home_return_requested=p.home_return,
            sensitive=p.sensitive,
            forwarded_by_id=self.L.parties[p.forwarder].id if p.forwarder else None,
            forwarder_ref=ref,
            forwarder_due_at=due,
        )

    def _path(self) -> None:
        p, rng, users = self.p, self.rng, self.kit.users
        multi = len(p.issues) > 1
        self.lead = "customer_service" if multi else p.issues[0].dept
        wrong = rng.choice([k for k, _n, _p in OFFICE_DEPTS if k != self.lead])
        mapping = {
            iid: self.dept_id(i.dept)
            for iid, i in zip(self.issue_ids, p.issues, strict=True)
            if i.dept != self.lead
        }

        # hand-over (R-HDL-1, R-EXP-6)
        if p.refuse:
            self.do(0.1, 1, s.complaint_assign, actor=self.assigner(), department_id=self.dept_id(wrong))
            self.do(0.2, 2, s.complaint_refuse, actor=self.sup(wrong), reason=REFUSE)
        first = wrong if p.transfer else self.lead
        responsible = self.sup(first).id if rng.random() < 0.5 else None
        self.do(
            0.1,
            1.5,
            s.complaint_assign,
            actor=self.assigner(),
            department_id=self.dept_id(first),
            responsible_id=responsible,
            issue_departments=mapping or None,
        )
        if p.method == Method.ONLINE:
            self.side(
                0.1,
                2.5,
                s.acknowledge_send,
                actor=self.front(),
                text=f"您好，您反映的问题已收到，已转{self.kit.spec.name}核实处理，今天内给您具体答复。感谢您的监督！",
            )
        if p.transfer:
            self.do(
                0.2,
                3,
                s.complaint_transfer,
                actor=self.sup(wrong),
                department_id=self.dept_id(self.lead),
                reason=TRANSFER.format(dept=DEPT_NAME[self.lead]),
            )
        acceptor = (
            users["eng_manager"] if self.lead == "engineering" and rng.random() < 0.2 else self.sup(self.lead)
        )
        self.do(0.1, 2, s.complaint_accept, actor=acceptor)
        if p.pause:
            # Waiting on the owner: the clock stops with a reason and a resume date (R-EXP-5).
            self._advance(0.5, 4)
            back = self.t + timedelta(days=rng.uniform(1.5, 4))
            self.side(0, 0, s.clock_pause, actor=self.handler(), reason=rng.choice(PAUSE), resume_on=back)
            self.side(30, 80, s.clock_resume, actor=self.handler(), raw=True)
        if p.note:
            self.side(0.2, 3, s.note_add, actor=self.handler(), text=rng.choice(NOTES))
        if p.escalate == "early":
            self._escalate()
        if p.ncr and self.escalated:
            self._ncr()

        # investigation (R-HDL-2)
        if p.unreasonable:
            self.do(1, 24, s.explanation_record, actor=self.handler(), explanation=EXPLANATIONS[0])
        for iid, issue in zip(self.issue_ids, p.issues, strict=True):
            actor = self.handler()
            if not self.escalated:
                actor = (
                    users["eng_staff"]
                    if issue.dept == "engineering" and rng.random() < 0.3
                    else self.sup(issue.dept)
                )
            findings, measures = self._findings(issue)
            self.do(
                1 if not self.found else 0.2,
                20 if not self.found else 6,
                s.issue_findings_record,
                actor=actor,
                issue_id=iid,
                findings=findings,
                measures=measures,
            )
            self.found[iid] = (findings, measures)
        if p.claim:
            self._claim()
        if p.ncr and not self.escalated:
            self._ncr()
        if p.developer:
            reason = (
                "业主提出退（换）房要求，按程序反馈地产客户关系中心。"
                if p.home_return
                else "经现场核查属地产遗留/保修期内问题，转地产客户关系中心协调处理并跟进。"
            )
            self.do(
                1,
                24,
                s.developer_forward,
                actor=self.handler(),
                party_id=self.L.parties["developer"].id,
                reason=reason,
            )
            self.do(
                48,
                240,
                s.developer_answer_record,
                raw=True,
                actor=self.front() if rng.random() < 0.5 else self.handler(),
                answer=rng.choice(DEVELOPER_ANSWERS).format(n=rng.randint(3, 10)),
                their_ref=f"KF-{rng.randint(10000, 99999)}",
            )

        # reply and the complainant's answer (R-HDL-3, R-HDL-4)
        self._reply()
        if p.disagree:
            self.do(4, 48, s.complainant_disagree, actor=self.front(), reason=rng.choice(DISAGREE))
            for r in range(p.disagree - 1 if p.escalate == "late" else p.disagree):
                self.side(
                    12, 72, s.negotiation_round_record, actor=self._negotiator(), summary=NEGOTIATE[r % 3]
                )
            if p.escalate == "late":
                self._escalate()
                if p.ncr:
                    self._ncr()
                self._reply(again=True)
        self.do(4, 48, s.complainant_agree, actor=self.front(), note=rng.choice(AGREE))
        self._carry_out()

    def _carry_out(self) -> None:
        """Measures, verification (with rework when planned) and the follow-up visit (R-HDL-10, 11)."""
        p, rng, users = self.p, self.rng, self.kit.users
        done = p.topic.done if p.topic else "各项整改措施已落实。"
        if len(p.issues) > 1:
            done = "来信所列各项问题的整改措施均已落实：" + "；".join(
                i.topic.done if i.topic else i.summary for i in p.issues
            )
        doer = self.handler()
        if not self.escalated and self.lead == "engineering" and rng.random() < 0.6:
            doer = users["eng_staff"]
        self.do(24, 120, s.measures_done, actor=doer, note=done)
        if p.photo and rng.random() < 0.5:
            actor = users["office_manager"] if self.escalated else self.sup(self.lead)
            self.side(
                0.5,
                4,
                s.attachment_add,
                actor=actor,
                upload=s.UploadInput(name="整改后照片.png", content=_png(rng)),
            )
        reworked = False
        verifier = users["office_manager"]
        if not self.escalated and len(p.issues) == 1 and rng.random() < 0.3:
            verifier = self.sup(self.lead)
        while self.state == State.VERIFYING:
            for iid, issue in zip(self.issue_ids, p.issues, strict=True):
                if self.state != State.VERIFYING:
                    break
                if not ComplaintIssue.objects.filter(pk=iid, state=IssueState.MEASURES_DONE).exists():
                    continue
                if p.rework and not reworked:
                    reworked = True
                    self.do(
                        4,
                        48,
                        s.issue_verify,
                        actor=verifier,
                        issue_id=iid,
                        passed=False,
                        note=rng.choice(REWORK),
                    )
                    self.do(24, 96, s.measures_done, actor=doer, note="返工完成：" + done)
                    break
                note = issue.topic.verify if issue.topic else "现场核查整改已落实，验证合格。"
                self.do(4, 48, s.issue_verify, actor=verifier, issue_id=iid, passed=True, note=note)
        self._follow_up()

    def _follow_up(self) -> None:
        p, rng = self.p, self.rng
        actor = self.front()
        if p.anonymous:
            self.do(4, 72, s.follow_up_exempt, actor=actor, exemption=Exemption.ANONYMOUS)
        elif p.sensitive:
            self.do(
                4,
                72,
                s.follow_up_exempt,
                actor=actor,
                exemption=Exemption.SENSITIVE,
                note="涉及业主自治和公共收益，不便回访，处理结果已书面送达。",
            )
        elif rng.random() < 0.04:
            self.do(4, 72, s.follow_up_exempt, actor=actor, exemption=Exemption.UNREACHABLE, note=UNREACHABLE)
        else:
            score = rng.choices((5, 4, 3, 2, 1), (45, 30, 15, 7, 3))[0]
            if p.disagree:
                score = min(score, rng.choice((3, 4)))
            method = (
                "online"
                if p.method == Method.ONLINE
                else rng.choices(("phone", "visit", "survey"), (70, 20, 10))[0]
            )
            quality = rng.choice((None, None, 4, 5, 3)) if rng.random() < 0.5 else None
            self.do(
                4,
                72,
                s.follow_up_record,
                actor=actor,
                method=method,
                satisfaction=score,
                opinion=rng.choice(OPINIONS[score]),
                quality_score=quality,
            )

    def _findings(self, issue: _IssuePlan) -> tuple[str, str]:
        rng = self.rng
        if issue.fixed is not None:
            return issue.fixed
        t = issue.topic
        return rng.choice(t.findings).format(**issue.ctx), rng.choice(t.measures).format(**issue.ctx)

    def _negotiator(self) -> User:
        if self.escalated:
            return self.co.users["qm_info"]
        return self.kit.users["office_manager"] if self.rng.random() < 0.6 else self.kit.users["reception"]

    def _escalate(self) -> None:
        users = self.kit.users
        actor = (
            users["eng_manager"]
            if self.lead == "engineering" and self.rng.random() < 0.3
            else users["office_manager"]
        )
        self.do(2, 48, s.complaint_escalate, actor=actor, reason=self.rng.choice(ESCALATE))
        self.escalated = True

    def _ncr(self) -> None:
        p = self.p
        dept = DEPT_NAME[p.issues[0].dept]
        self.side(
            4,
            48,
            s.ncr_issue,
            actor=self.co.users["mgmt_rep"],
            nonconformity=f"{self.kit.spec.name}{dept}在“{p.issues[0].summary}”问题上未按程序及时处理，引发顾客投诉。",
            cause="日常巡检和交接制度执行不到位，部门间信息传递不及时，对业主诉求重视不够。",
            corrective_action="责任部门限期整改，管理处经理每周检查落实情况，整改结果报品质管理部。",
            preventive_action="修订相关作业指导书，将该项目纳入月度品质检查和员工培训。",
        )

    def _claim(self) -> None:
        p, rng, users = self.p, self.rng, self.kit.users
        topic = p.topic
        construction = bool(topic and topic.developer)
        claim = self.side(
            1,
            24,
            s.compensation_claim_record,
            actor=self.handler(),
            amount=p.claim,
            description=(topic.claim_text if topic else "财产损失")
            + f"，业主提供维修报价单（{p.claim}元）。",
            involves_construction_or_sales=construction,
        )
        amount = Decimal(p.claim)
        co = self.co.users
        if construction:
            actor = co["qm"] if self.escalated else users["office_manager"]
            self.side(
                2,
                48,
                s.compensation_escalate,
                actor=actor,
                claim_id=claim.id,
                to_developer=True,
                note="涉及工程质量问题，上报地产客户关系中心按保修程序处理。",
            )
            return
        if rng.random() < 0.1:
            actor = co["qm"] if self.escalated else users["office_manager"]
            self.side(
                2,
                48,
                s.compensation_decide,
                actor=actor,
                claim_id=claim.id,
                approve=False,
                note="经核实损失与物业服务无直接因果关系，不予赔偿，已向业主耐心解释。",
            )
            return
        if amount > LIMIT_LEADERSHIP:
            self.side(
                2,
                48,
                s.compensation_escalate,
                actor=co["leadership"],
                claim_id=claim.id,
                to_developer=False,
                note="金额超出公司审批权限，按公司重大业务审批流程报批。",
            )
            return
        if not self.escalated and amount <= LIMIT_DEPT_MANAGER and self.lead == "engineering":
            actor = users["eng_manager"]
        elif not self.escalated and amount <= LIMIT_OFFICE_MANAGER:
            actor = users["office_manager"]
        elif amount <= LIMIT_QM:
            actor = co["qm"]
        else:
            actor = co["leadership"]
        approved = amount if rng.random() < 0.7 else (amount * Decimal("0.8")).quantize(Decimal("1"))
        self.side(
            2,
            48,
            s.compensation_decide,
            actor=actor,
            claim_id=claim.id,
            approve=True,
            approved_amount=approved,
            note="按实际损失核定，同意赔偿。" if approved == amount else "按维修市场价核定，同意部分赔偿。",
        )

    def _reply_body(self, revised: bool, again: bool) -> str:
        p, rng = self.p, self.rng
        kit = self.kit
        if p.anonymous:
            who = "业主"
        elif p.people > 1:
            who = f"{p.who.name}等各位业主"
        else:
            who = p.who.polite
        opening = {
            Kind.SUGGESTION: "您好！感谢您对小区管理提出的宝贵建议。",
            Kind.INQUIRY: "您好！感谢您的咨询。",
        }.get(p.kind, f"您好！首先感谢您对{kit.spec.name}工作的关注与监督，对给您带来的困扰我们深表歉意。")
        lines = [f"尊敬的{who}：", opening]
        if len(p.issues) == 1:
            findings, measures = self.found[self.issue_ids[0]]
            lines.append(f"经现场核查，{findings}针对上述情况，我们将{measures}")
        else:
            lines.append(f"针对来信反映的{len(p.issues)}个问题，逐条答复如下：")
            numerals = "一二三四五六七"
            for n, (iid, i) in enumerate(zip(self.issue_ids, p.issues, strict=True)):
                findings, measures = self.found[iid]
                lines.append(f"{numerals[n]}、关于“{i.summary}”：{findings}处理措施：{measures}")
        if p.developer:
            lines.append(
                "其中涉及开发建设遗留的部分，已转地产客户关系中心协调处理，我们将持续跟进并及时向您通报进展。"
            )
        if again:
            lines.append("此前答复未能让您满意，公司品质管理部已接手处理，并重新核定了上述方案。")
        if revised:
            lines.append(
                f"上述整改措施将于{rng.randint(3, 10)}个工作日内全部落实，届时我们将主动与您联系确认。"
            )
        sender = self.co.company.name + "品质管理部" if self.escalated else kit.spec.name
        lines.append(f"如您对答复内容有任何疑问，欢迎致电{kit.spec.name}客服中心（{kit.spec.phone}）。")
        lines.append(f"{sender}\n{_date(self.t)}")
        return "\n".join(lines)

    def _reply(self, again: bool = False) -> None:
        p, rng = self.p, self.rng
        h = self.handler()
        self._advance(1, 8)  # first move the clock, so the letter is dated the day it is drafted
        self.do(0, 0, s.reply_draft_save, actor=h, body=self._reply_body(False, again))
        stages = REVIEW_ROUTES[p.method]
        reviewer = {"qm": self.co.users["qm"], "general_office": self.co.users["general_office"]}
        if not stages:
            self.do(0.2, 4, s.reply_send, actor=h)
            self.replied = True
            self._forwarder_reply()
            return
        self.do(0.2, 4, s.reply_submit, actor=h)
        if p.return_stage and not again:
            for stage in stages:
                if stage == p.return_stage:
                    self.do(
                        0.5,
                        4.5,
                        s.reply_review_return,
                        actor=reviewer[stage],
                        comment=rng.choice(RETURN_COMMENTS[stage]),
                    )
                    break
                self.do(
                    0.5,
                    4.5,
                    s.reply_review_approve,
                    actor=reviewer[stage],
                    comment=rng.choice(APPROVE_COMMENTS[stage]),
                )
            self._advance(1, 12)
            self.do(0, 0, s.reply_draft_save, actor=h, body=self._reply_body(True, again))
            self.do(0.2, 4, s.reply_submit, actor=h)
        for stage in stages:
            self.do(
                0.5,
                4.5,
                s.reply_review_approve,
                actor=reviewer[stage],
                comment=rng.choice(APPROVE_COMMENTS[stage]),
            )
        self.do(0.2, 4, s.reply_send, actor=self.front())
        self.replied = True
        self._forwarder_reply()


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


def _pause_a_few(loader: _Loader, now: datetime) -> None:
    """Leave a few open complaints waiting on the owner right now, so the demo shows paused deadlines
    (R-EXP-5) next to open, met, missed and cancelled ones."""
    waiting = (
        Complaint.objects.filter(
            company__group=loader.group,
            state__in=[State.INVESTIGATING, State.REPLIED],
            paused_at__isnull=True,
            level="office",
        )
        .select_related("office")
        .order_by("id")[:3]
    )
    for c in waiting:
        manager = User.objects.filter(roles__role="office_manager", roles__office_id=c.office_id).first()
        if manager is None:
            continue
        with clock.travel(now):
            s.clock_pause(
                actor=manager,
                complaint_id=c.id,
                reason="等待业主提供漏水部位照片及入户时间",
                resume_on=now + timedelta(days=3),
            )


def seed_demo(
    *,
    complaints: int = DEFAULT_COMPLAINTS,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] | None = None,
) -> SeedResult:
    """Load the demo data unless it is there already (the group `huaxin` is the marker). All or nothing."""
    log = log or (lambda _msg: None)
    existing = Group.objects.filter(code=DEMO_GROUP_CODE).first()
    if existing is not None:
        return SeedResult(created=False, message=f"演示数据已存在（{existing.name}），未做任何更改。")
    started, cpu_started = time.perf_counter(), time.process_time()
    horizon = timezone.now() - timedelta(minutes=2)
    loader = _Loader(seed=seed, horizon=horizon, log=log)
    with transaction.atomic():
        loader.build_org()
        log(
            f"organisation: {len(loader.offices)} offices, {loader.users} accounts "
            f"({time.perf_counter() - started:.1f}s)"
        )
        plans = loader.plans(max(0, complaints))
        loader.run(plans)
        _pause_a_few(loader, horizon)
        # The demo's history happened before Docket was switched on: its messages were never sent, and the
        # worker must not send months-old messages now. Today's stay queued, so delivery can be seen.
        from docket.notifications.models import Notification

        Notification.objects.filter(created_at__lt=horizon - timedelta(hours=12)).delete()
    ids = Complaint.objects.filter(company__group=loader.group)
    by_state = Counter(ids.values_list("state", flat=True))
    return SeedResult(
        created=True,
        complaints=sum(by_state.values()),
        events=ComplaintEvent.objects.filter(complaint__company__group=loader.group).count(),
        users=loader.users,
        seconds=time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu_started,
        by_state={st: by_state.get(st, 0) for st in State.values},
        message=f"演示数据已载入：{sum(by_state.values())} 件投诉。",
    )
