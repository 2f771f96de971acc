"""The demo organisation as data: group, companies, offices with their departments and posts, the logins
printed at `make run`, external parties and the category tree."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from docket.accounts.models import Role
from docket.org.models import ExternalParty

DEMO_PASSWORD = "docket-demo"
DEMO_GROUP_CODE = "huaxin"

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


# --- portal filing (issue 11): each office's published channels (seed 5.2.1.1) ---
def office_channels(spec: OfficeSpec) -> dict[str, str]:
    """The channels an office publishes on its portal page and notice-board poster."""
    n = spec.phone.rsplit("-", 1)[-1]
    return {
        "fax": f"029-8600-{int(n) + 5000}",
        "email": f"kefu-{spec.code.lower()}@example.com",
        "postal_address": f"{spec.address} {spec.name}客服中心（邮编 710000）",
        "contact_post": "客服中心前台",
        "contact_person": "客服主管",
        "office_hours": "周一至周日 8:30-12:00，13:30-18:00",
        "hotline_24h": f"029-8600-{int(n) + 8000}",
    }


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
        for post, role, limit, _company_names, note in COMPANY_POSTS:
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
