"""UI words in zh-CN (first) and English, for maps, sheets and pages outside Flask requests."""

from __future__ import annotations

from typing import Mapping

from gis.rules import Rules

LANGS = ("zh", "en")

_WORDS: Mapping[str, Mapping[str, str]] = {
    "grids": {"zh": "网格", "en": "Grids"},
    "basemap": {"zh": "OpenStreetMap 底图", "en": "OpenStreetMap basemap"},
    "group.nine_small": {"zh": "九小场所", "en": "Nine small places"},
    "group.many_in_one": {"zh": "多合一场所", "en": "Many-in-one places"},
    "group.rental": {"zh": "出租屋", "en": "Rental housing"},
    "group.high_risk": {"zh": "高风险场所", "en": "High-risk sites"},
    "group.other": {"zh": "其他场所", "en": "Other places"},
    "route": {"zh": "路线", "en": "Route"},
    "team": {"zh": "巡查小组", "en": "Team"},
    "day": {"zh": "日期", "en": "Date"},
    "seq": {"zh": "序号", "en": "No."},
    "arrive": {"zh": "到达", "en": "Arrive"},
    "depart": {"zh": "离开", "en": "Leave"},
    "name": {"zh": "场所名称", "en": "Venue"},
    "address": {"zh": "地址", "en": "Address"},
    "category": {"zh": "类别", "en": "Category"},
    "reason": {"zh": "巡查原因", "en": "Why"},
    "checklist": {"zh": "检查要点", "en": "Checklist"},
    "outcome": {"zh": "检查结果", "en": "Outcome"},
    "outcome.done": {"zh": "已检查", "en": "Done"},
    "outcome.closed_door": {"zh": "关门", "en": "Closed door"},
    "outcome.refused": {"zh": "拒绝", "en": "Refused"},
    "hazard_found": {"zh": "发现隐患", "en": "Hazard found"},
    "notes": {"zh": "备注", "en": "Notes"},
    "signature": {"zh": "巡查人员签字", "en": "Signatures"},
    "members": {"zh": "成员", "en": "Members"},
    "page": {"zh": "第 {} 页", "en": "page {}"},
    "returned_at": {"zh": "交回时间", "en": "Returned at"},
    "scan_note": {"zh": "二维码打开网页填报（需登录）", "en": "The QR codes open the result form (log in first)"},
    "colon": {"zh": "：", "en": ": "},
    "shift": {"zh": "班次", "en": "Shift"},
    "start_point": {"zh": "出发点", "en": "Start point"},
    "mode": {"zh": "出行方式", "en": "Travel"},
    "mode.walk": {"zh": "步行", "en": "On foot"},
    "mode.ebike": {"zh": "电动车", "en": "E-bike"},
    "reason.overdue": {"zh": "超期未查", "en": "Overdue"},
    "reason.due": {"zh": "到期巡查", "en": "Due"},
    "reason.recheck": {"zh": "隐患复查", "en": "Re-check"},
    "reason.high_risk": {"zh": "高风险", "en": "High risk"},
    "reason.optional": {"zh": "顺路巡查", "en": "Optional"},
    "unassigned.capacity": {"zh": "人手不足", "en": "No capacity"},
    "unassigned.no_team_with_roles": {"zh": "无具备所需角色的小组", "en": "No team with the roles"},
    "unassigned.closed_at_shift_times": {"zh": "班次时间内不营业", "en": "Closed at shift times"},
    "unassigned.unreachable": {"zh": "班次内无法到达", "en": "Unreachable in a shift"},
    "sheets.title": {"zh": "联合巡查路线单", "en": "Joint patrol route sheet"},
    "map.title": {"zh": "巡查计划地图", "en": "Patrol plan map"},
    "stops_count": {"zh": "巡查点", "en": "stops"},
    "access_leg": {"zh": "道路外步行段", "en": "walk off the street"},
    "km": {"zh": "公里", "en": "km"},
    "last_inspected": {"zh": "上次检查", "en": "Last inspected"},
    "never": {"zh": "从未检查", "en": "never"},
    "risk": {"zh": "风险", "en": "Risk"},
    "grid": {"zh": "网格", "en": "Grid"},
    "community": {"zh": "社区", "en": "Community"},
    "worker": {"zh": "网格员", "en": "Grid worker"},
    "unassigned": {"zh": "未排入计划", "en": "Not planned"},
    "office_return": {"zh": "返回出发点午休", "en": "Back to the office for the break"},
    "route_map": {"zh": "路线示意图", "en": "Route sketch"},
    "scan": {"zh": "扫码填报", "en": "Scan to record"},
    "hotspot.layer": {"zh": "隐患热点（Gi*）", "en": "Hazard hotspots (Gi*)"},
    "hotspot.heat": {"zh": "隐患热力图", "en": "Hazard heatmap"},
    "hotspot.legend": {"zh": "隐患热点分析（按严重程度加权）", "en": "Hazard hotspots (weighted by severity)"},
    "hotspot.hot": {"zh": "热点：隐患显著集中", "en": "Hot spot: hazards cluster here"},
    "hotspot.near_hot": {"zh": "热点周边：本网格不多，紧邻热点", "en": "Next to a hot spot (few of its own)"},
    "hotspot.cold": {"zh": "冷点：隐患显著偏少", "en": "Cold spot: markedly few hazards"},
    "hotspot.near_cold": {"zh": "冷点周边", "en": "Next to a cold spot"},
    "hotspot.none": {"zh": "不显著", "en": "Not significant"},
    "hotspot.short.hot": {"zh": "热点", "en": "Hot spot"},
    "hotspot.short.near_hot": {"zh": "热点周边", "en": "Next to hot"},
    "hotspot.short.cold": {"zh": "冷点", "en": "Cold spot"},
    "hotspot.short.near_cold": {"zh": "冷点周边", "en": "Next to cold"},
    "hotspot.short.none": {"zh": "不显著", "en": "—"},
    "hotspot.col.grid_id": {"zh": "网格编号", "en": "Grid"},
    "hotspot.col.name": {"zh": "网格", "en": "Name"},
    "hotspot.col.hazards_general": {"zh": "一般隐患", "en": "General"},
    "hotspot.col.hazards_major": {"zh": "重大隐患", "en": "Major"},
    "hotspot.col.z": {"zh": "Gi* z 值", "en": "Gi* z"},
    "hotspot.col.confidence": {"zh": "置信度 %", "en": "Conf. %"},
    "hotspot.col.label": {"zh": "结论", "en": "Finding"},
    "hotspot.heat_scale": {"zh": "热力图：蓝少 → 红多", "en": "Heatmap: blue few → red many"},
    "hotspot.note": {"zh": "共 {hazards} 条隐患；重大隐患按 3 条计。热点（冷点）= Gi* 置信度 ≥90% 且本网格隐患明显偏多（偏少）。",
                     "en": "{hazards} hazards; a major one counts 3. Hot (cold) spot = Gi* confidence ≥ 90 % and the grid's own count markedly high (low)."},
    "hotspot.table": {"zh": "热点、冷点及其周边网格（按热度排序）", "en": "Hot and cold spots and the grids next to them, hottest first"},
    "gaps.note": {"zh": "截至 {on}；覆盖 = 在其类别规定的周期内检查过", "en": "As of {on}; covered = inspected within its category's interval"},
    "gaps.table": {"zh": "盲区排名（覆盖率最低在前）", "en": "Gap ranking, least covered first"},
    "labels": {"zh": "网格编号标注", "en": "Grid labels"},
    "table.none": {"zh": "无", "en": "None"},
    "gaps.layer": {"zh": "按期检查覆盖率", "en": "Covered within interval"},
    "gaps.legend": {"zh": "网格按期检查覆盖率（盲区死角）", "en": "Share of venues inspected in time"},
    "gaps.never": {"zh": "从未检查", "en": "Never inspected"},
    "gaps.col.gap_rank": {"zh": "盲区排名", "en": "Rank"},
    "gaps.col.grid_id": {"zh": "网格编号", "en": "Grid"},
    "gaps.col.name": {"zh": "网格", "en": "Name"},
    "gaps.col.venues": {"zh": "场所数", "en": "Venues"},
    "gaps.col.covered_share": {"zh": "按期覆盖率", "en": "Covered"},
    "gaps.col.never_inspected": {"zh": "从未检查", "en": "Never inspected"},
    "gaps.col.overdue": {"zh": "超期未查", "en": "Overdue"},
    "gaps.col.unreachable": {"zh": "班次内无法到达", "en": "Out of reach"},
    "gaps.unreachable": {"zh": "班次内无法到达", "en": "Unreachable in a shift"},
    "gaps.col.grid": {"zh": "网格", "en": "Grid"},
    "gaps.col.done_this_month": {"zh": "本月已查", "en": "Done (month)"},
    "gaps.col.no_visit_this_month": {"zh": "本月无巡查", "en": "No visit this month"},
    "state.major_hazard": {"zh": "重大隐患未销号", "en": "Open major hazard"},
    "state.open_hazard": {"zh": "隐患未销号", "en": "Open hazard"},
    "state.overdue": {"zh": "超期未查", "en": "Overdue"},
    "state.due": {"zh": "七日内到期", "en": "Due within a week"},
    "state.ok": {"zh": "按期已查", "en": "Inspected in time"},
    "history": {"zh": "检查与隐患记录", "en": "History"},
    "venue_summary": {"zh": "场所概况（按网格，放大显示各场所）", "en": "Venues per grid (zoom in for each venue)"},
    "venue_summary.venues": {"zh": "场所数", "en": "Venues"},
    "venue_summary.attention": {"zh": "需关注（隐患或超期）", "en": "Need attention (hazard or overdue)"},
    "login.failed": {"zh": "用户名或密码错误", "en": "Wrong user name or password"},
    "login.disabled": {"zh": "此账号已停用，无法登录；如需恢复请联系协调员",
                       "en": "This account is disabled and cannot log in: ask a coordinator to enable it"},
    "login.locked": {"zh": "密码错误次数过多，请 {minutes} 分钟后再试（或请协调员重置密码）",
                     "en": "Too many wrong passwords: try again in {minutes} min (or ask a coordinator to reset it)"},
    "status.found": {"zh": "发现", "en": "found"},
    "status.reported": {"zh": "已上报", "en": "reported"},
    "status.rectifying": {"zh": "整改中", "en": "rectifying"},
    "status.feedback": {"zh": "待复查", "en": "awaiting re-check"},
    "status.closed": {"zh": "已销号", "en": "closed"},
    "action.found": {"zh": "发现", "en": "found"},
    "action.supervise": {"zh": "挂牌督办", "en": "supervised"},
    "action.report": {"zh": "上报", "en": "reported"},
    "action.rectify": {"zh": "进入整改（五落实）", "en": "rectification (five in place)"},
    "action.feedback": {"zh": "整改反馈", "en": "feedback"},
    "action.close": {"zh": "复查销号", "en": "re-checked, closed"},
    "action.import": {"zh": "导入", "en": "imported"},
    "severity.general": {"zh": "一般", "en": "general"},
    "severity.major": {"zh": "重大", "en": "major"},
    "plan.queued": {"zh": "排队中", "en": "queued"},
    "plan.running": {"zh": "计算中", "en": "running"},
    "plan.done": {"zh": "完成", "en": "done"},
    "plan.failed": {"zh": "失败", "en": "failed"},
    "role.coordinator": {"zh": "协调员", "en": "coordinator"},
    "role.patrol": {"zh": "巡查小组", "en": "patrol"},
    "role.viewer": {"zh": "只读", "en": "viewer"},
    "kind.grids": {"zh": "网格（面）", "en": "grids"},
    "kind.venues": {"zh": "场所", "en": "venues"},
    "kind.teams": {"zh": "巡查小组", "en": "teams"},
    "kind.hazards": {"zh": "隐患", "en": "hazards"},
    "kind.inspections": {"zh": "检查记录", "en": "inspections"},
    "csrf.failed": {"zh": "表单已过期，或浏览器没有保存本站的登录信息：请刷新页面后再提交一次。",
                    "en": "The form has expired, or the browser did not keep this site's session: reload the page and submit again."},
    "csrf.plain_http": {"zh": "本站通过 http:// 访问，而登录 cookie 只经 HTTPS 发送：请管理员配置 HTTPS，或在可信内网启动时设置 PATROL_INSECURE_COOKIES=1。",
                        "en": "This site is reached over plain http:// but session cookies go over HTTPS only: set up HTTPS, or start it with PATROL_INSECURE_COOKIES=1 on a trusted network."},
    "password.changed": {"zh": "密码已修改", "en": "Password changed"},
    "role.grid_worker": {"zh": "网格员", "en": "Grid worker"},
    "role.property": {"zh": "物业", "en": "Property staff"},
    "role.volunteer": {"zh": "志愿者", "en": "Volunteer"},
    "role.safety_officer": {"zh": "安全员", "en": "Safety officer"},
    "notify.sent": {"zh": "已发送", "en": "sent"},
    "notify.failed": {"zh": "发送失败", "en": "failed"},
    "notify.sending": {"zh": "发送中", "en": "sending"},
    "notify.remind": {"zh": "整改提醒", "en": "deadline reminder"},
    "notify.yellow": {"zh": "黄牌", "en": "yellow card"},
    "notify.red": {"zh": "红牌（挂牌督办）", "en": "red card (supervised)"},
    "notify.major_new": {"zh": "新发现重大隐患", "en": "new major hazard"},
    "notify.interval_soon": {"zh": "场所将到巡查周期", "en": "venues about to fall due"},
    "notify.no_visit": {"zh": "网格本周未巡查", "en": "grid not visited this week"},
    "notify.plan_failed": {"zh": "计划失败", "en": "plan failed"},
}


def t(key: str, lang: str = "zh") -> str:
    """The word for ``key`` in ``lang`` (zh-CN when the language or the key is unknown)."""
    entry = _WORDS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["zh"]


def word(kind: str, code: str, lang: str = "zh") -> str:
    """The label of a code of one kind (status, action, severity, outcome, role, plan, kind); the code when unknown."""
    key = f"{kind}.{code}"
    return t(key, lang) if key in _WORDS else code


def category_label(rules: Rules, code: str, lang: str = "zh") -> str:
    cat = rules.categories.get(code)
    if cat is None:
        return code
    return cat.label_en if lang == "en" else cat.label_zh


def hazard_label(rules: Rules, code: str, lang: str = "zh") -> str:
    ht = rules.hazard_types.get(code)
    if ht is None:
        return code
    return ht.label_en if lang == "en" else ht.label_zh
