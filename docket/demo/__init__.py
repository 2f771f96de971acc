"""Demo data for Docket (`manage.py seed_demo`, `manage.py demo_logins`): an organisation, one login per
role, and a few hundred complaints driven through the real services over the last four months.

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

Modules: `organisation` (the organisation and the logins, as data), `residents` (the made-up residents),
`topics` (complaint templates), `texts` (the handling steps' wording), `build` (writes the organisation,
accounts and residents), `plans` and `planner` (what each complaint will go through), `steps`,
`handling` and `life` (one complaint's history through the services), `runner` (`seed_demo()`).
This package imports no models at import time (it is an installed app for its management commands).
"""
