"""Seed document 2 (篇2: 关于对小区管理处侵害业主权益投诉书): a written complaint forwarded by the district
government (碑林区政府房改办), after days of television coverage, listing seven issues. Filed as the front
desk would file it: method government_forward, with the forwarder's reference, media exposure ticked."""

from __future__ import annotations

from docket.complaints.models import Channel, Method
from docket.complaints.services import ComplaintInput, IssueInput, complaint_register
from docket.org.models import ExternalParty

SUBJECT = "关于对**物业公司**雅苑小区管理处侵害业主权益投诉书"
DESCRIPTION = (
    "西安市**物业管理有限公司是本小区建筑商指定的前期物业公司，其管理水平与服务质量使广大业主越来越不满意，"
    "经常性发生侵害业主权益事件。4月7日调用外小区近10名保安对未交高价停车费的车辆实施出口拦截，造成小区唯一"
    "出入口堵塞，并与业主发生肢体冲突，受到西安教育电视台连续4天的跟踪曝光。请碑林区政府住房改革领导小组办公室核查。"
)
ISSUES = [
    "置业主的安全于不顾：1号楼、4号楼外墙瓷砖脱落多年未修，北门长期锁死，消防通道被车辆阻挡，水箱无清理检验，灭火器未年检，门禁电梯故障，监控有盲区",
    "擅自提高服务项目价格并采取暴力收费：水电费高于市场价，停车费由150元/月提高到350元/月，出口拦截车辆并与业主发生肢体冲突",
    "阻挠业主大会和业主委员会的成立：撕毁业主大会成立进程告知书，拒绝提供业委会办公用房",
    "开发公司与物业公司未分离，实属一家",
    "侵占法定属于业主的公用部位、公用设施的收益：电梯广告费、外墙广告费、路面停车费、小店租赁费",
    "开发商侵吞住宅专用维修基金利息",
    "违反物业服务重大事件报告制度：外墙脱落安全隐患8小时内难以排除，暴力收费引发群体性突发事件未报告",
]


def file_document_2(org, actor=None):
    """Register seed document 2 in office A through the real intake service."""
    party = ExternalParty.objects.create(group=org.group, kind="government", name="碑林区政府房改办")
    data = ComplaintInput(
        office_id=org.a.office.id,
        channel=Channel.GOVERNMENT,
        method=Method.GOVERNMENT_FORWARD,
        subject=SUBJECT,
        description=DESCRIPTION,
        complainant_name="雅苑小区业主大会筹备工作准备小组",
        complainant_phone="13700000002",
        media_exposed=True,
        legal_or_media_risk=True,
        forwarded_by_id=party.id,
        forwarder_ref="BL-FGB-0602",
        issues=[IssueInput(summary=s) for s in ISSUES],
    )
    return complaint_register(actor=actor or org.a.users["reception"], data=data).complaint
