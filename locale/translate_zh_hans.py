#!/usr/bin/env python3
# ruff: noqa: E501  (a translation table: CJK text is counted double wide)
"""Fill the zh-Hans catalogue from the translation table below (a maintainer tool, no dependencies).

Usage, from the project root, after new strings were added to the code:

    DEBUG=true .venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles \
        --ignore=static/vendor --ignore=tests --ignore=bench --no-obsolete
    .venv/bin/python locale/translate_zh_hans.py          # fills msgstr, lists what is missing
    # add the missing msgids to TRANSLATIONS below, run the script again until it exits 0, then:
    DEBUG=true .venv/bin/python manage.py compilemessages --ignore=.venv

What it does to `locale/zh_Hans/LC_MESSAGES/django.po`:
- every entry whose msgid is in TRANSLATIONS gets that translation (the table wins over the .po, so a
  wording is fixed here, once) and loses its `fuzzy` flag and `#|` previous-msgid comments;
- an entry not in the table keeps a translation already written in the .po by hand, unless it is fuzzy
  (a guess of msgmerge): fuzzy guesses and empty entries are reported as missing;
- the header gets the language, team and plural form of zh-Hans and loses its `fuzzy` flag;
- placeholders (`%(name)s`, `%s`, `{0}`) and HTML tags of each translation are checked against the msgid.

Exit status: 0 when every entry is translated and every check passes, 1 otherwise. `--check` reports
without writing the file. Missing entries are printed as ready-to-paste lines for TRANSLATIONS.

Chinese placement: placeholders holding Latin text or numbers (incident numbers, counts) are set off by
spaces; placeholders holding Chinese names (teams, rooms) are not.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

PO_PATH = Path(__file__).resolve().parent / "zh_Hans" / "LC_MESSAGES" / "django.po"
NPLURALS = 1
HEADER_FIELDS = {
    "Project-Id-Version": "patrol-portal",
    "Last-Translator": "Patrol portal maintainers",
    "Language-Team": "Chinese (Simplified)",
    "Language": "zh_Hans",
    "Plural-Forms": "nplurals=1; plural=0;",
}
HEADER_COMMENTS = [
    "# Simplified Chinese (zh-Hans) messages of the patrol-circles portal.",
    "# Filled by locale/translate_zh_hans.py from its translation table: fix wordings there.",
    "#",
]

# msgid -> translation. For a plural entry the key is the singular msgid and the value fills msgstr[0]
# (zh has one plural form). For an entry with a context the key is "context\x04msgid".
TRANSLATIONS: dict[str, str] = {
    # --- API ---------------------------------------------------------------------------------
    "Give true or false.": "请填写 true 或 false。",
    "Select a valid choice. %(value)s is not one of the available choices.": "请选择有效的选项。%(value)s 不在可选范围内。",
    "Unknown format: choose one of %(formats)s.": "未知格式：请从 %(formats)s 中选择。",
    "Not found.": "未找到。",
    "Give this parameter once.": "此参数只能给一次。",
    # --- incidents: choices -------------------------------------------------------------------
    "Incidents": "警情",
    "Dispute": "纠纷",
    "Drunk and disorderly": "醉酒滋事",
    "Fight": "打架斗殴",
    "Theft": "盗窃",
    "Fraud": "诈骗",
    "Missing person (child)": "人员走失(儿童)",
    "Traffic": "交通",
    "Ecology / wildlife": "生态/野生动物",
    "Water rescue": "水上救援",
    "Fire / safety hazard": "火灾/安全隐患",
    "Help request": "求助",
    "Other": "其他",
    "P1 – immediate danger": "P1 紧急",
    "P2 – urgent": "P2 较急",
    "P3 – routine": "P3 一般",
    "P4 – no response needed": "P4 无需出警",
    "110 call": "110报警",
    "Patrol discovery": "巡逻发现",
    "Informant tip": "信息员线索",
    "Walk-in report": "来所报警",
    "Chat group": "联络群",
    "Camera": "监控发现",
    "Online": "网上",
    "Reported": "已接报",
    "Dispatched": "已派警",
    "En route": "途中",
    "On scene": "已到场",
    "Resolved": "已处置",
    "Closed": "已结案",
    "Cancelled": "已撤销",
    "Transferred": "已移交",
    "Status change": "状态变更",
    "Team assignment": "派警",
    "Note": "备注",
    "Placement override": "人工调整辖区",
    "Edit": "修改",
    "Involved person": "涉事人员",
    "Mediation": "调解",
    "Reporter": "报警人",
    "Victim": "受害人",
    "Suspect": "嫌疑人",
    "Witness": "证人",
    "Informant": "信息员",
    "Phone": "电话",
    "Walk-in": "来访",
    "New": "新线索",
    "Verified": "已核实",
    "Converted to an incident": "已转警情",
    "Dismissed": "已排除",
    "Settled": "调解成功",
    "Referred": "已移交",
    "Comprehensive-governance office": "综治办",
    "Court": "法院",
    "Procuratorate": "检察院",
    "Community": "社区",
    "Enterprise": "企业",
    "Water": "水域",
    "Wildlife": "野生动物",
    "Fire": "消防",
    "Structure": "建筑设施",
    "Weather": "气象",
    "Low": "一般",
    "Medium": "较大",
    "High": "重大",
    "Department": "职能部门",
    "Patrol": "巡逻",
    "Open": "待处理",
    "In progress": "处理中",
    "Remediated": "已整改",
    "Police consultation": "警务咨询",
    "Police errand": "警务代办",
    "Received": "已受理",
    "Completed": "已办结",
    "Rejected": "不予受理",
    # --- incidents: filters and forms ---------------------------------------------------------
    "Search": "搜索",
    "Number, summary or address contains this.": "警情编号、简要案情或地址中包含此内容。",
    "Occurred from": "发生时间自",
    "Occurred before": "发生时间早于",
    "Reported from": "接报时间自",
    "Reported before": "接报时间早于",
    "Updated since": "更新时间自",
    "For synchronisation: changed at or after this time.": "用于数据同步：在此时间及之后有变更的记录。",
    "Circle": "巡防圈",
    "Station": "派出所",
    "Team": "巡防队",
    "Category": "警情类别",
    "Priority": "紧急程度",
    "Status": "状态",
    "Source": "警情来源",
    "Map area": "地图范围",
    "minlon,minlat,maxlon,maxlat": "最小经度,最小纬度,最大经度,最大纬度",
    "Occurred at": "发生时间",
    "Summary": "简要案情",
    "Latitude": "纬度",
    "Longitude": "经度",
    "Address": "地址",
    "Circle (override)": "巡防圈（人工指定）",
    "Leave empty to use the circle of the point.": "留空则按位置自动确定巡防圈。",
    "Station (override)": "派出所（人工指定）",
    "Leave empty to use the station of the point.": "留空则按位置自动确定派出所。",
    "Reason for the override": "人工指定理由",
    "Required when you choose another circle or station than the point gives.": (
        "所选巡防圈或派出所与按位置确定的不一致时必填。"
    ),
    "Description": "详细情况",
    "Outcome": "处置结果",
    "Changing it is an override and needs a reason.": "修改此项属于人工调整辖区，须填写理由。",
    "Required when the circle or station is changed by hand.": "人工修改巡防圈或派出所时必填。",
    "Role": "身份",
    "Name": "姓名",
    "Resident ID number": "居民身份证号码",
    "Notes": "备注",
    "Leave empty to keep the current value (%(masked)s).": "留空则保留当前值（%(masked)s）。",
    "Override (the team is busy or off duty)": "强制派警（该队正在出警或休整）",
    "Reason": "理由",
    # --- incidents: model fields and validation -----------------------------------------------
    "station": "派出所",
    "informant": "信息员",
    "channel": "来源渠道",
    "content": "内容",
    "latitude": "纬度",
    "longitude": "经度",
    "address": "地址",
    "received at": "接收时间",
    "status": "状态",
    "incident": "警情",
    "reason for dismissal": "排除理由",
    "recorded by": "登记人",
    "handled by": "处理人",
    "handled at": "处理时间",
    "tip": "线索",
    "tips": "线索",
    "Give both latitude and longitude, or neither.": "纬度和经度须同时填写或同时留空。",
    "Exactly the converted tips are linked to an incident.": "已转警情的线索必须关联警情，其他线索不得关联警情。",
    "Choose the informant who passed on the tip.": "请选择提供该线索的信息员。",
    "mediation room": "调解室",
    "parties": "当事人",
    "One party per line.": "每行填写一名当事人。",
    "participating agencies": "参与调解单位",
    "Values of MediationAgency.": "取值为调解参与单位（MediationAgency）。",
    "mediator": "调解员",
    "agreement": "调解协议",
    "outcome": "结果",
    "referred to": "移交单位",
    "opened at": "受理时间",
    "closed at": "结案时间",
    "opened by": "受理人",
    "mediation case": "调解案件",
    "mediation cases": "调解案件",
    "This incident already has a pending mediation case.": "该警情已有一起正在调解的案件。",
    "A case is closed exactly when it has an outcome.": "有调解结果的案件即为结案，结案的案件必须有调解结果。",
    "A case can't close before it opened.": "结案时间不能早于受理时间。",
    "Only a dispute incident can go to mediation.": "只有纠纷类警情才能进行调解。",
    "Choose a post that is a mediation room.": "请选择类型为调解室的点位。",
    "Choose agencies from the list.": "请从列表中选择单位。",
    "Each agency is listed once.": "每个单位只能选择一次。",
    "Name the parties.": "请填写当事人。",
    "held on": "调解日期",
    "attendees": "参加人员",
    "notes": "备注",
    "mediation session": "调解记录",
    "mediation sessions": "调解记录",
    "visited on": "回访日期",
    "agreement kept": "协议已履行",
    "visited by": "回访人",
    "mediation follow-up": "调解回访",
    "mediation follow-ups": "调解回访",
    "circle": "巡防圈",
    "type": "类型",
    "title": "标题",
    "description": "描述",
    "reported by": "报告方",
    "reporter": "报告人",
    "The department, informant or team that reported it.": "报告该隐患的职能部门、信息员或巡防队。",
    "severity": "隐患等级",
    "warn radius (m)": "预警半径（米）",
    "due date": "整改期限",
    "remediation status": "整改状态",
    "latest remediation note": "最新整改情况",
    "remediated at": "整改完成时间",
    "created at": "创建时间",
    "updated at": "更新时间",
    "safety hazard": "安全隐患",
    "safety hazards": "安全隐患",
    "The warn radius must be 1–5000 m.": "预警半径须在 1–5000 米之间。",
    "Exactly the closed hazards have a closing time.": "已结案的隐患必须有结案时间，其他隐患不得有。",
    "kind": "类型",
    "name": "名称",
    "time limit (hours)": "办理时限（小时）",
    "active": "启用",
    "service type": "警务服务类型",
    "service types": "警务服务类型",
    "The time limit is at least one hour.": "办理时限至少为 1 小时。",
    "service": "服务事项",
    "requester": "申请人",
    "phone": "联系电话",
    "details": "详情",
    "due at": "办理期限",
    "result": "办理结果",
    "service request": "警务服务申请",
    "service requests": "警务服务申请",
    "A request falls due after it is received.": "办理期限须晚于受理时间。",
    "Exactly the completed or rejected requests have a closing time.": (
        "已办结或不予受理的申请必须有办结时间，其他申请不得有。"
    ),
    "year": "年份",
    "last number": "最后编号",
    "incident number counter": "警情编号计数器",
    "incident number counters": "警情编号计数器",
    "number": "编号",
    "sequence": "序号",
    "category": "警情类别",
    "priority": "紧急程度",
    "source": "警情来源",
    "occurred at": "发生时间",
    "reported at": "接报时间",
    "reason for the placement override": "人工调整辖区理由",
    "Why the circle or station differs from the one found from the location.": (
        "说明巡防圈或派出所为何与按位置确定的不同。"
    ),
    "summary": "简要案情",
    "teams": "巡防队",
    "first dispatched at": "首次派警时间",
    "first arrived at": "首次到场时间",
    "resolved at": "处置时间",
    "version": "版本",
    "incidents": "警情",
    "This incident number is already taken.": "该警情编号已被占用。",
    "Unknown incident status.": "未知的警情状态。",
    "The version starts at 1.": "版本号从 1 开始。",
    "An incident can't occur after it was reported.": "发生时间不能晚于接报时间。",
    "A dispatch can't precede the report.": "派警时间不能早于接报时间。",
    "An arrival can't precede the report.": "到场时间不能早于接报时间。",
    "An arrival can't precede the dispatch.": "到场时间不能早于派警时间。",
    "An incident can't be resolved before it was reported.": "处置时间不能早于接报时间。",
    "An incident can't be resolved before the arrival.": "处置时间不能早于到场时间。",
    "Only a resolved incident can be closed, after it was resolved.": (
        "只有已处置的警情才能结案，且结案时间不能早于处置时间。"
    ),
    "A dispatched incident needs its dispatch time.": "已派警的警情须有派警时间。",
    "An incident on scene needs its arrival time.": "已到场的警情须有到场时间。",
    "A resolved incident needs its resolution time.": "已处置的警情须有处置时间。",
    "Exactly the closed incidents have a closing time.": "已结案的警情必须有结案时间，其他警情不得有。",
    "A newly reported incident has no later stage times.": "刚接报的警情不能有后续环节的时间。",
    "The circle belongs to another station.": "该巡防圈属于其他派出所。",
    "team": "巡防队",
    "dispatched at": "派警时间",
    "arrived at": "到场时间",
    "cleared at": "收队时间",
    "by": "操作人",
    "override": "强制派警",
    "Why a busy or off-duty team was sent.": "说明为何派出正在出警或休整的巡防队。",
    "assignment": "派警记录",
    "assignments": "派警记录",
    "The team is already assigned to this incident.": "该巡防队已派往此警情。",
    "A team can't arrive before it was dispatched.": "巡防队到场时间不能早于派警时间。",
    "A team can't be cleared before it was sent or arrived.": "收队时间不能早于派警时间或到场时间。",
    "An assignment is either a dispatch or an arrival.": "派警记录须有派警时间或到场时间。",
    "from": "变更前",
    "to": "变更后",
    "text": "内容",
    "changes": "变更内容",
    "time": "时间",
    "incident event": "警情动态",
    "incident events": "警情动态",
    "The incident timeline is append-only.": "警情时间线只能追加，不能修改或删除。",
    "role": "身份",
    "resident ID number": "居民身份证号码",
    "involved person": "涉事人员",
    "involved persons": "涉事人员",
    # --- incidents: services and validators ---------------------------------------------------
    "Give the time with its time zone.": "请填写带时区的时间。",
    "The time can't be in the future.": "时间不能晚于当前时间。",
    "The time can't be before the previous step (%(floor)s).": "时间不能早于上一环节（%(floor)s）。",
    "Incident %(number)s is “%(current)s”: it can't become “%(new)s”.": (
        "警情 %(number)s 当前为“%(current)s”，不能变更为“%(new)s”。"
    ),
    "No police station is set up yet: an incident can't be placed.": "尚未设置派出所，无法确定警情所属辖区。",
    "Give a reason for placing the incident in another circle or station than its location gives.": (
        "警情所属巡防圈或派出所与按位置确定的不同，请填写理由。"
    ),
    "Incident %(number)s was changed by %(who)s after you opened it (your version %(expected)s, now "
    "%(current)s). Changed: %(fields)s. Reload it and make your changes again.": (
        "您打开警情 %(number)s 后，%(who)s修改了该警情（您的版本为 %(expected)s，当前版本为 %(current)s）。"
        "修改内容：%(fields)s。请重新加载后再修改。"
    ),
    "someone else": "其他人",
    "Changed: %(fields)s.": "修改内容：%(fields)s。",
    "%(team)s is already on incident %(number)s; dispatch it with an override to send it anyway.": (
        "%(team)s正在处置警情 %(number)s；如仍要派出，请选择强制派警。"
    ),
    "%(team)s is off duty; put it on patrol first, or dispatch it with an override.": (
        "%(team)s正在休整；请先将其转为巡逻中，或选择强制派警。"
    ),
    "was on incident %(number)s": "正在处置警情 %(number)s",
    "was off duty": "正在休整",
    "%(team)s is already assigned to this incident.": "%(team)s已派往此警情。",
    "Dispatched %(team)s.": "已派出%(team)s。",
    "Incident %(number)s is already on scene.": "警情 %(number)s 已有警力到场。",
    "%(team)s has already arrived.": "%(team)s已到场。",
    "%(team)s arrived.": "%(team)s已到达现场。",
    "Describe the outcome.": "请填写处置结果。",
    "Give the reason.": "请填写理由。",
    "Write the note.": "请填写备注内容。",
    "Added %(person)s.": "已添加%(person)s。",
    "Changed %(person)s: %(fields)s.": "已修改%(person)s：%(fields)s。",
    "Removed %(person)s.": "已移除%(person)s。",
    "This tip is “%(current)s”: it can't become “%(new)s”.": "该线索当前为“%(current)s”，不能变更为“%(new)s”。",
    "Choose the station that handles this tip.": "请选择处理该线索的派出所。",
    "The tip has no location: give one for the incident.": "该线索没有位置信息，请为警情填写位置。",
    "Converted from tip #%(id)s.": "由线索 #%(id)s 转为警情。",
    "Mediation opened in %(room)s.": "已在%(room)s启动调解。",
    "The date can't be in the future.": "日期不能晚于今天。",
    "The date can't be before the case was opened or closed.": "日期不能早于案件受理或结案日期。",
    "The case is closed: no more sessions.": "案件已结案，不能再添加调解记录。",
    "The case is already closed.": "案件已结案。",
    "Choose settled, failed or referred.": "请选择调解成功、调解失败或已移交。",
    "A settlement needs the agreement text.": "调解成功须填写调解协议内容。",
    "Say where the case was referred to.": "请填写案件移交的单位。",
    "Mediation closed: %(outcome)s.": "调解结束：%(outcome)s。",
    "Follow-up visits are for settled cases.": "只有调解成功的案件才能回访。",
    "This hazard is “%(current)s”: it can't become “%(new)s”.": "该隐患当前为“%(current)s”，不能变更为“%(new)s”。",
    "This service is no longer offered.": "该服务事项已停止办理。",
    "This request is “%(current)s”: it can't become “%(new)s”.": "该申请当前为“%(current)s”，不能变更为“%(new)s”。",
    "Say what was done.": "请填写办理情况。",
    "A resident ID number has 18 characters; this one has %(count)d.": (
        "居民身份证号码应为 18 位，此号码为 %(count)d 位。"
    ),
    "A resident ID number is 17 digits followed by a digit or X.": "居民身份证号码由 17 位数字加 1 位数字或 X 组成。",
    "The birth date in this ID number (%(date)s) is not a date.": "该身份证号码中的出生日期（%(date)s）不是有效日期。",
    "The birth date in this ID number (%(date)s) is not plausible.": "该身份证号码中的出生日期（%(date)s）不合理。",
    "This ID number's check character is wrong: it may be mistyped.": "该身份证号码的校验码不正确，可能输入有误。",
    # --- patrols: choices -----------------------------------------------------------------------
    "Patrol network": "巡防网络",
    "Green ecological circle": "绿色生态圈",
    "Safe commercial circle": "平安商业圈",
    "Harmonious industrial circle": "和谐工业圈",
    "Patrolling": "巡逻中",
    "Responding": "出警中",
    "Returning": "返回中",
    "Off duty": "休整",
    "Police office": "警务室",
    "Security booth": "治安岗亭",
    "Lei Feng service station": "学雷锋服务站",
    "Party-member vanguard post": "党员先锋岗",
    "Mediation room": "调解室",
    "Police officer": "民警",
    "Auxiliary patrol member": "辅警",
    "Grid worker": "网格员",
    "Homeowners' committee": "业委会",
    "Enterprise worker": "企业职工",
    "Boardwalk maintenance worker": "栈道维修工",
    "Sanitation worker": "环卫工人",
    "Public surveillance camera": "公共监控探头",
    "Police camera": "警用探头",
    "From": "从",
    "Until": "截至",
    # --- patrols: seed_demo ---------------------------------------------------------------------
    "The demo data failed validation, nothing was written: %(error)s": "演示数据校验失败，未写入任何数据：%(error)s",
    "stations": "派出所",
    "patrol circles": "巡防圈",
    "patrol teams": "巡防队",
    "posts": "点位",
    "members": "队员",
    "informants": "信息员",
    "cameras": "监控探头",
    "patrol shifts": "巡逻班次",
    "demo users": "演示用户",
    "Demo data loaded:": "演示数据已加载：",
    "  %(label)s: %(total)d (%(created)d new)": "  %(label)s：%(total)d（新增 %(created)d）",
    "Demo users were skipped: DEMO_MODE is off (it defaults to DEBUG). Create real accounts with "
    "`manage.py createsuperuser`.": (
        "已跳过演示用户：DEMO_MODE 未开启（默认与 DEBUG 相同）。请用 `manage.py createsuperuser` 创建正式账号。"
    ),
    "Demo users %(names)s share the password %(password)s (demo mode only).": (
        "演示用户 %(names)s 的密码均为 %(password)s（仅限演示模式）。"
    ),
    # --- patrols: models ------------------------------------------------------------------------
    "Enter a phone number of digits (and dashes).": "请输入由数字（和短横线）组成的电话号码。",
    "Enter a colour as #rrggbb.": "请按 #rrggbb 格式输入颜色。",
    "code": "编码",
    "Prefix of incident numbers, e.g. DQ.": "警情编号前缀，如 DQ。",
    "sub-bureau": "分局",
    "sub-bureaus": "分局",
    "duty phone": "值班电话",
    "police station": "派出所",
    "police stations": "派出所",
    "boundary": "辖区范围",
    "A GeoJSON Polygon or MultiPolygon (longitude, latitude).": "GeoJSON 格式的 Polygon 或 MultiPolygon（经度, 纬度）。",
    "focus": "工作重点",
    "brand": "品牌",
    "colour": "颜色",
    "active from": "高发时段起",
    "Start of the circle's busy hours, e.g. 18:00 for the night plaza.": "本圈警情高发时段的开始时间，如夜间广场为 18:00。",
    "active until": "高发时段止",
    "patrol circle": "巡防圈",
    "Give both ends of the active hours, or neither.": "高发时段的起止时间须同时填写或同时留空。",
    "staffed from": "值守时间起",
    "staffed until": "值守时间止",
    "Leave both empty for a post staffed round the clock.": "24 小时值守的点位，两项均留空。",
    "patrol post": "巡防点位",
    "patrol posts": "巡防点位",
    "This station already has a post of that name.": "本派出所已有同名点位。",
    "Give both ends of the staffed hours, or neither.": "值守时间的起止须同时填写或同时留空。",
    "round the clock": "24 小时",
    "badge number": "警号",
    "rank or role": "职级或职务",
    "party member": "党员",
    "youth-league member": "团员",
    "member": "队员",
    "Another member has this badge number.": "该警号已被其他队员使用。",
    "The team belongs to another station.": "该巡防队属于其他派出所。",
    "call sign": "呼号",
    "leader": "队长",
    "strategy": "工作策略",
    "The team's own strategy for its circle.": "本队针对所在巡防圈的专属策略（一队一策）。",
    "base post": "驻点",
    "duty state": "勤务状态",
    "state changed at": "状态变更时间",
    "last latitude": "最近位置纬度",
    "last longitude": "最近位置经度",
    "last position at": "最近定位时间",
    "patrol team": "巡防队",
    "The leader must be a member of this team.": "队长必须是本队队员。",
    "The base post belongs to another station.": "该驻点属于其他派出所。",
    "note": "备注",
    "duty state change": "勤务状态变更",
    "duty state changes": "勤务状态变更",
    "organisation": "所在单位",
    "The team patrols another circle.": "该巡防队负责其他巡防圈。",
    "coverage radius (m)": "覆盖半径（米）",
    "bearing (°)": "朝向（°）",
    "Direction the camera faces, clockwise from north.": "探头朝向，以正北为 0°，顺时针计。",
    "field of view (°)": "视场角（°）",
    "working": "正常工作",
    "camera": "监控探头",
    "The coverage radius must be 1–1000 m.": "覆盖半径须在 1–1000 米之间。",
    "Give the bearing and the field of view together.": "朝向和视场角须同时填写。",
    "starts at": "开始时间",
    "ends at": "结束时间",
    "route": "巡逻路线",
    "A GeoJSON LineString.": "GeoJSON 格式的 LineString。",
    "shift leader": "带班负责人",
    "patrol shift": "巡逻班次",
    "A shift must end after it starts.": "班次结束时间须晚于开始时间。",
    # --- patrols: services and views ------------------------------------------------------------
    "Unknown duty state: %(state)s.": "未知的勤务状态：%(state)s。",
    "A team that is %(current)s can't become %(new)s.": "处于“%(current)s”状态的巡防队不能转为“%(new)s”。",
    "The team is now %(state)s.": "巡防队已转为“%(state)s”。",
    "staffed hours": "值守时段",
    "%(hours)s hours in all": "共 %(hours)s 小时",
    "hours": "时长（小时）",
    "route (m)": "路线长度（米）",
    # --- portal ---------------------------------------------------------------------------------
    "Portal": "门户",
    "roles": "角色",
    "Enter valid GeoJSON (it must be JSON text).": "请输入有效的 GeoJSON（须为 JSON 文本）。",
    "Yes": "是",
    "No": "否",
    "%(verbose_name)s “%(object)s” was saved.": "%(verbose_name)s“%(object)s”已保存。",
    "%(verbose_name)s “%(object)s” was created.": "%(verbose_name)s“%(object)s”已创建。",
    "Add %(verbose_name)s": "新增%(verbose_name)s",
    "%(verbose_name)s “%(object)s” was updated.": "%(verbose_name)s“%(object)s”已更新。",
    "Edit %(verbose_name)s": "修改%(verbose_name)s",
    "This field can't be revealed.": "该字段不能查看明文。",
    "Give a reason to reveal personal data.": "查看个人信息明文须填写理由。",
    "Latitude and longitude must be numbers.": "纬度和经度必须是数字。",
    "Latitude must be within ±90 and longitude within ±180.": "纬度须在 ±90 以内，经度须在 ±180 以内。",
    "The point (%(lat)s, %(lng)s) is outside the sub-bureau's area.": "该点（%(lat)s, %(lng)s）不在分局辖区内。",
    "Each position must be a [longitude, latitude] pair.": "每个坐标点必须是 [经度, 纬度] 数对。",
    "Coordinates must be numbers.": "坐标必须是数字。",
    "Coordinates must be longitude within ±180 and latitude within ±90.": "坐标的经度须在 ±180 以内，纬度须在 ±90 以内。",
    "The area reaches outside the sub-bureau's bounds.": "该区域超出了分局辖区范围。",
    "A polygon ring must be a list of positions.": "多边形的环必须是坐标点列表。",
    "A polygon ring needs at least four positions.": "多边形的环至少需要 4 个坐标点。",
    "A polygon ring must be closed: its last position must equal its first.": (
        "多边形的环必须闭合：最后一个坐标点须与第一个相同。"
    ),
    "The area must be a GeoJSON Polygon or MultiPolygon.": "区域必须是 GeoJSON 格式的 Polygon 或 MultiPolygon。",
    "The area has no coordinates.": "该区域没有坐标。",
    "Each polygon of a MultiPolygon must be a list of rings.": "MultiPolygon 中的每个多边形必须是环的列表。",
    "The area is not a valid shape: %(reason)s.": "该区域不是有效的图形：%(reason)s。",
    "The area is empty.": "该区域为空。",
    "The route must be a GeoJSON LineString.": "路线必须是 GeoJSON 格式的 LineString。",
    "A route needs at least two positions.": "路线至少需要 2 个坐标点。",
    "bbox must be four numbers: minlon,minlat,maxlon,maxlat.": "bbox 必须是 4 个数字：minlon,minlat,maxlon,maxlat。",
    "bbox is out of range or its minimum exceeds its maximum.": "bbox 超出范围，或最小值大于最大值。",
    "display name": "显示名称",
    "user": "用户",
    "users": "用户",
    "Can reveal masked personal data": "可查看脱敏个人信息的明文",
    "Reveal": "查看明文",
    "Export": "导出",
    "action": "操作",
    "object type": "对象类型",
    "object id": "对象 ID",
    "fields": "字段",
    "reason": "理由",
    "personal-data access": "个人信息访问",
    "personal-data access log": "个人信息访问日志",
    "The access log is append-only.": "访问日志只能追加，不能修改或删除。",
    "Sub-bureau staff": "分局机关",
    "Station commander": "派出所所长",
    "Duty officer": "值班民警",
    "Party-affairs officer": "党务干部",
    "Auditor": "审计员",
    "Patrol circles": "巡防圈",
    "Patrol posts": "巡防点位",
    "Cameras": "监控探头",
    "Patrol teams": "巡防队",
    "Kind": "类型",
    "Focus": "工作重点",
    "Brand": "品牌",
    "Staffed": "值守时间",
    "Coverage radius": "覆盖半径",
    "m": "米",
    "Not working": "故障",
    "Duty state": "勤务状态",
    "Details": "详情",
    "A map layer could not be loaded. Reload the page to try again.": "地图图层加载失败，请刷新页面重试。",
    # --- portal: map widgets --------------------------------------------------------------------
    "Map editor": "地图编辑器",
    "Click the map or drag the marker to set the point, or type the numbers.": (
        "点击地图或拖动标记来设置位置，也可直接输入经纬度。"
    ),
    "Draw the area with the polygon or rectangle tool and drag its corners, or edit the GeoJSON below.": (
        "用多边形或矩形工具绘制区域并拖动其顶点，或在下方编辑 GeoJSON。"
    ),
    "Draw the route with the line tool, or edit the GeoJSON LineString below.": (
        "用折线工具绘制路线，或在下方编辑 GeoJSON LineString。"
    ),
    "Cancel drawing": "取消绘制",
    "Cancel": "取消",
    "Finish drawing": "完成绘制",
    "Finish": "完成",
    "Delete last point drawn": "删除最后绘制的点",
    "Delete last point": "删除最后一个点",
    "Draw a route": "绘制路线",
    "Draw a polygon": "绘制多边形",
    "Draw a rectangle": "绘制矩形",
    "Click to start drawing the area.": "点击开始绘制区域。",
    "Click to continue drawing the area.": "点击继续绘制区域。",
    "Click the first point to close the area.": "点击第一个点以闭合区域。",
    "Error: the edges of an area can't cross.": "错误：区域的边不能交叉。",
    "Click to start drawing the route.": "点击开始绘制路线。",
    "Click to continue drawing the route.": "点击继续绘制路线。",
    "Click the last point to finish the route.": "点击最后一个点以完成路线。",
    "Click and drag to draw a rectangle.": "按住并拖动以绘制矩形。",
    "Release the mouse to finish drawing.": "松开鼠标完成绘制。",
    "Keep the changes.": "保留修改。",
    "Done": "完成",
    "Cancel editing, discard the changes.": "取消编辑，放弃修改。",
    "Clear everything drawn.": "清除全部已绘制内容。",
    "Clear all": "全部清除",
    "Edit the shape": "编辑图形",
    "Nothing to edit.": "没有可编辑的图形。",
    "Delete a shape": "删除图形",
    "Nothing to delete.": "没有可删除的图形。",
    "Drag the handles to change the shape.": "拖动控制点以修改图形。",
    "Click cancel to undo the changes.": "点击“取消”撤销修改。",
    "Click a shape to delete it.": "点击图形将其删除。",
    # --- templates ------------------------------------------------------------------------------
    "Patrol circles portal": "巡防圈工作平台",
    "Please correct the errors below; nothing was saved.": "请更正以下错误；尚未保存任何内容。",
    "Map of this record": "本条记录的位置地图",
    "Pages": "分页",
    "Previous": "上一页",
    "Page %(number)s of %(total)s": "第 %(number)s 页，共 %(total)s 页",
    "Next": "下一页",
    "Reason (logged)": "理由（将记入日志）",
    "Revealed; this was logged": "已显示明文，此操作已记入日志",
    "Add": "新增",
    "Save": "保存",
    "Add %(name)s": "新增%(name)s",
    "Filter": "筛选",
    "Clear": "清除",
    "%(counter)s row": "共 %(counter)s 条",
    "Nothing to show.": "暂无数据。",
    "Back": "返回",
    "Language": "语言",
    "Switch": "切换",
    "Police stations": "派出所",
    "Members": "队员",
    "Informants": "治安信息员",
    "Patrol shifts": "巡逻班次",
    "Menu": "菜单",
    "Map": "地图",
    "Log out": "退出登录",
    "None.": "无。",
    "since %(at)s": "自 %(at)s 起",
    "→ %(label)s": "→ %(label)s",
    "History": "变更记录",
    "Time": "时间",
    "To": "到",
    "By": "操作人",
    "No changes yet.": "暂无变更记录。",
    "%(counter)s camera in this circle": "本圈共有 %(counter)s 个监控探头",
    "No members in this team.": "本队暂无队员。",
    "Home": "首页",
    "All stations of the sub-bureau": "分局所有派出所",
    "No station: ask an administrator to assign you one.": "您尚未分配到派出所，请联系管理员分配。",
    "Open the map": "打开地图",
    "Circles": "巡防圈",
    "Teams": "巡防队",
    "Posts": "点位",
    "%(counter)s working": "%(counter)s 个正常工作",
    "Busy hours": "高发时段",
    "No circles in your scope yet.": "您的权限范围内暂无巡防圈。",
    "No teams in your scope yet.": "您的权限范围内暂无巡防队。",
    "Map of the patrol circles": "巡防圈地图",
    "All stations": "全部派出所",
    "Legend": "图例",
    "Camera and its coverage": "监控探头及其覆盖范围",
    "Account locked": "账号已锁定",
    "The account “%(username)s” is locked after %(limit)s failed log-in attempt.": (
        "账号“%(username)s”登录失败 %(limit)s 次，已被锁定。"
    ),
    "This account is locked after too many failed log-in attempts.": "该账号登录失败次数过多，已被锁定。",
    "Try again in %(minutes)s minute.": "请 %(minutes)s 分钟后再试。",
    "Ask an administrator to unlock it.": "请联系管理员解锁。",
    "If it was not you who tried, tell your station's administrator.": "如果不是您本人在尝试登录，请告知本所管理员。",
    "Back to log in": "返回登录",
    "Log in": "登录",
    "Patrol circles portal of the sub-bureau": "分局巡防圈工作平台",
    "Your account can't open that page. Log in as another user to continue.": (
        "您的账号无权打开该页面。请用其他账号登录后继续。"
    ),
    "Username": "用户名",
    "Password": "密码",
    "After five wrong passwords the account is locked for a while. Ask your station's administrator if you "
    "have forgotten your password.": ("密码连续输错五次后，账号将被锁定一段时间。如忘记密码，请联系本所管理员。"),
    # --- incidents: inbox (tips, mediation, hazards, service requests) --------------------------
    "Inbox (new and verified)": "待办（新线索和已核实）",
    "All": "全部",
    "Channel": "来源渠道",
    "Overdue": "已超期",
    "Type": "类型",
    "Severity": "隐患等级",
    "Service": "服务事项",
    "Required when the tip came from an informant.": "线索来自信息员时必填。",
    "Content": "内容",
    "Received at": "接收时间",
    "Leave empty to use the station of the point or of the informant.": "留空则按位置或信息员所属派出所自动确定。",
    "Optional: leave both empty when the tip has no location.": "选填：线索没有位置信息时两项均留空。",
    "Reason for dismissal": "排除理由",
    "The tip's location unless you set another.": "默认为线索的位置，可另行设置。",
    "Incident number": "警情编号",
    "The dispute incident, e.g. DQ-2026-000123.": "纠纷警情的编号，如 DQ-2026-000123。",
    "Parties": "当事人",
    "Participating agencies": "参与调解单位",
    "Mediator": "调解员",
    "No incident %(number)s that you may see.": "没有您有权查看的警情 %(number)s。",
    "Held on": "调解日期",
    "Attendees": "参加人员",
    "Visited on": "回访日期",
    "Agreement kept": "协议已履行",
    "Agreement": "调解协议",
    "Required for a settlement.": "调解成功时必填。",
    "Referred to": "移交单位",
    "Required for a referral.": "移交时必填。",
    "Title": "标题",
    "Warn radius (m)": "预警半径（米）",
    "New incidents and patrols within this distance show the warning.": "在此距离内的新警情和巡逻将显示该隐患预警。",
    "Reported by": "报告方",
    "Due date": "整改期限",
    "Requester": "申请人",
    "Choose the station responsible.": "请选择负责的派出所。",
    "Result": "办理结果",
    "Saved.": "已保存。",
    "informant's phone": "信息员电话",
    "Verify": "核实",
    "Dismiss": "排除",
    "The tip is verified.": "线索已核实。",
    "The tip is dismissed.": "线索已排除。",
    "Record a tip": "登记线索",
    "The tip was put in the inbox.": "线索已放入待办。",
    "Convert the tip to an incident": "将线索转为警情",
    "Incident %(object)s was created from the tip.": "已由线索生成警情 %(object)s。",
    "Add the session": "添加调解记录",
    "Close the case": "结案",
    "Add the follow-up visit": "添加回访记录",
    "Record a session": "登记调解记录",
    "Close with an outcome": "填写结果并结案",
    "Record a follow-up visit": "登记回访",
    "The session was recorded.": "调解记录已登记。",
    "The case was closed.": "案件已结案。",
    "The follow-up visit was recorded.": "回访已登记。",
    "Open a mediation case": "启动调解",
    "The mediation case was opened.": "调解案件已受理。",
    "Change the status": "变更状态",
    "The hazard's status was changed.": "隐患状态已变更。",
    "Report a safety hazard": "上报安全隐患",
    "Hazard “%(object)s” was recorded.": "隐患“%(object)s”已登记。",
    "Start": "开始办理",
    "Complete": "办结",
    "Reject": "不予受理",
    "The request is in progress.": "申请正在办理。",
    "The request is completed.": "申请已办结。",
    "The request was rejected.": "申请不予受理。",
    "Receive a service request": "受理警务服务申请",
    "The request was received.": "申请已受理。",
    # --- incidents: incident pages --------------------------------------------------------------
    "Team en route": "巡防队出发",
    "Arrived on scene": "到达现场",
    "Resolve": "处置完毕",
    "Close": "结案",
    "Cancel incident": "撤销警情",
    "Transfer": "移交",
    "Reason for cancelling": "撤销理由",
    "Transferred to whom, and why": "移交单位及理由",
    "Closing note (optional)": "结案说明（选填）",
    "Queue time": "等待派警时长",
    "reported → first dispatch": "接报 → 首次派警",
    "Travel time": "途中时长",
    "dispatch → arrival": "派警 → 到场",
    "Response time": "响应时长",
    "reported → first arrival": "接报 → 首次到场",
    "Time on scene": "现场处置时长",
    "arrival → resolved": "到场 → 处置完毕",
    "%(h)d h %(m)02d min": "%(h)d 小时 %(m)02d 分",
    "%(m)d min %(s)02d s": "%(m)d 分 %(s)02d 秒",
    "%(s)d s": "%(s)d 秒",
    "Reported at": "接报时间",
    "First dispatched at": "首次派警时间",
    "First arrived at": "首次到场时间",
    "Resolved at": "处置时间",
    "Closed at": "结案时间",
    "Choose a team.": "请选择巡防队。",
    "Incident %(number)s is now “%(status)s”.": "警情 %(number)s 现为“%(status)s”。",
    "%(team)s was dispatched to %(number)s.": "已派%(team)s处置警情 %(number)s。",
    "The note was added.": "备注已添加。",
    "Incident %(number)s was recorded.": "警情 %(number)s 已登记。",
    "New incident": "登记警情",
    "Incident %(number)s was updated.": "警情 %(number)s 已更新。",
    "Edit incident %(number)s": "修改警情 %(number)s",
    "Enter a valid point.": "请输入有效的位置。",
    "%(person)s was added.": "已添加%(person)s。",
    "%(person)s was updated.": "已更新%(person)s。",
    "%(person)s was removed.": "已移除%(person)s。",
    "Incident list": "警情列表",
    "Duty board": "勤务看板",
    "Tips": "线索",
    "Mediation cases": "调解案件",
    "Safety hazards": "安全隐患",
    "Service requests": "警务服务申请",
    "Open incidents": "未结警情",
    "When there is an alert, respond; when there is none, patrol. This board refreshes itself every 20 seconds.": (
        "有警出警，无警巡逻。本看板每 20 秒自动刷新。"
    ),
    "Actions": "操作",
    "Open incident": "当前警情",
    "Position at": "定位时间",
    "No teams.": "暂无巡防队。",
    "As of %(at)s": "截至 %(at)s",
    "This point is placed in": "该位置属于",
    "no circle (outside every circle)": "不属于任何巡防圈",
    "Open safety hazards near this point:": "该位置附近未消除的安全隐患：",
    "%(d)s m away": "相距 %(d)s 米",
    "Open safety hazards near this incident:": "该警情附近未消除的安全隐患：",
    "outside every circle": "不属于任何巡防圈",
    "Location": "位置",
    "Recorded by": "登记人",
    "Version": "版本",
    "Stages and intervals": "各环节时间",
    "Next steps": "下一步操作",
    "Dispatch": "派警",
    "Teams of the incident's circle first, then free teams, nearest first.": (
        "优先本圈巡防队，其次空闲巡防队，按距离由近到远排列。"
    ),
    "in this circle": "本圈",
    "%(d)s m": "%(d)s 米",
    "position unknown": "位置未知",
    "busy on %(number)s": "正在处置 %(number)s",
    "Override": "强制派警",
    "No team to suggest.": "没有可推荐的巡防队。",
    "Assigned teams": "已派巡防队",
    "Arrived": "到场",
    "Cleared": "收队",
    "No team yet.": "尚未派警。",
    "Involved persons": "涉事人员",
    "ID number": "身份证号码",
    "Remove": "移除",
    "mediation outcome\x04Pending": "调解中",
    "mediation outcome\x04Failed": "调解失败",
    "hazard remediation\x04Open": "待整改",
    "hazard remediation\x04Closed": "已销号",
    "delivery state\x04Pending": "待发送",
    "Remove %(object)s": "移除%(object)s",
    "Remove %(verbose_name)s “%(object)s”?": "确定移除%(verbose_name)s“%(object)s”？",
    "%(verbose_name)s “%(object)s” was removed.": "%(verbose_name)s“%(object)s”已移除。",
    "Take %(object)s off the party roll": "将%(object)s移出党员名册",
    "Take %(object)s off the party roll? The patrol member stays; they are no longer a party member.": "确定将%(object)s移出党员名册？该队员仍保留，但不再是党员。",
    "%(object)s was taken off the party roll.": "已将%(object)s移出党员名册。",
    "Answerable for %(counter)s responsibility zone: that link goes.": "负责 %(counter)s 个党员责任区：相关关联将一并解除。",
    "Member of %(counter)s vanguard post: that link goes.": "属于 %(counter)s 个党员先锋岗：相关关联将一并解除。",
    "%(counter)s line on the rota goes.": "值守排班中的 %(counter)s 条记录将一并删除。",
    "Nobody recorded yet.": "尚未登记人员。",
    "Add a person": "添加涉事人员",
    "Timeline": "时间线",
    "Add note": "添加备注",
    "Changed meanwhile:": "期间被修改的内容：",
    "Reload the incident": "重新加载警情",
    "Override the circle or station": "人工指定巡防圈或派出所",
    "More filters": "更多筛选条件",
    "%(counter)s incident": "共 %(counter)s 起警情",
    "No incidents match.": "没有符合条件的警情。",
    "Edit %(name)s": "修改%(name)s",
    "Sessions": "调解记录",
    "No sessions yet.": "暂无调解记录。",
    "Follow-up visits": "回访记录",
    "Visited by": "回访人",
    "No follow-up visits yet.": "暂无回访记录。",
    "Convert to an incident": "转为警情",
    # --- seed_demo, map, forms ------------------------------------------------------------------
    "Load the demo data set: the sub-bureau, 3 stations, the 3 patrol circles with their teams, posts, "
    "members, informants, cameras and a week of shifts, (only in demo mode) one demo user per role, and a year "
    "of incidents with tips, mediation cases, hazards and service requests. Running it again changes nothing.": (
        "加载演示数据：分局、3 个派出所、3 个巡防圈及其巡防队、点位、队员、信息员、监控探头和一周的巡逻班次，"
        "（仅在演示模式下）每个角色一个演示用户，以及一年的警情及其线索、调解案件、安全隐患和警务服务申请。"
        "重复运行不会改变任何数据。"
    ),
    "How many synthetic incidents the year holds (written only on the first run).": (
        "一年内生成的模拟警情数量（仅在首次运行时写入）。"
    ),
    "--incidents can't be negative.": "--incidents 不能为负数。",
    "Leave empty to keep the current value.": "留空则保留当前值。",
    "Last 24 hours": "最近 24 小时",
    "Last 7 days": "最近 7 天",
    "Last 30 days": "最近 30 天",
    "Occurred": "发生时间",
    "Incidents of": "警情时间范围",
    # --- audit ----------------------------------------------------------------------------------
    "User": "用户",
    "The first day is after the last one.": "开始日期晚于结束日期。",
    "Record type": "记录类型",
    "Action": "操作",
    "Record id": "记录 ID",
    "Audit": "审计",
    "Change log": "变更日志",
    "Personal-data access log": "个人信息访问日志",
    "Every reveal and export of personal data: who, what, when and why.": (
        "个人信息的每一次明文查看和导出：操作人、内容、时间和理由。"
    ),
    "%(counter)s entry": "共 %(counter)s 条记录",
    "Record": "记录",
    "Fields": "字段",
    "Every change to an audited record.": "受审计记录的每一次变更。",
    "Changes made by the users of your station.": "本所用户所做的变更。",
    "Changed fields": "变更字段",
    "system": "系统",
    # --- alerts: channels and choices -----------------------------------------------------------
    "(%(type)s of an earlier alert)": "（对此前预警的%(type)s）",
    "Area: %(area)s": "范围：%(area)s",
    "Valid until %(time)s": "有效期至 %(time)s",
    "Acknowledge: %(url)s": "确认收到：%(url)s",
    "%(count)d alerts": "%(count)d 条预警",
    "Digest of %(count)d alerts held back by the sending limit:": "因发送频率限制而合并发送的 %(count)d 条预警：",
    "Police-community group": "警社群",
    "Police-enterprise group": "警企群",
    "Police-school group": "警校群",
    "Staff": "内部人员",
    "WeCom robot webhook": "企业微信机器人",
    "DingTalk robot webhook": "钉钉机器人",
    "JSON webhook": "JSON 回调",
    "E-mail": "电子邮件",
    "SMS": "短信",
    "Alert warning": "警情预警",
    "Incident bulletin": "警情通报",
    "Missing person": "人员走失",
    "Weather warning": "气象预警",
    "Hazard warning": "隐患预警",
    "Draft": "草稿",
    "Approved": "已批准",
    "Actual": "正式",
    "Exercise": "演练",
    "System": "系统",
    "Test": "测试",
    "Draft (CAP)": "草稿（CAP）",
    "Alert": "首发",
    "Update": "更新",
    "Public": "公开",
    "Restricted": "限定范围",
    "Private": "非公开",
    "Geophysical": "地质",
    "Meteorological": "气象",
    "General safety": "公共安全",
    "Law enforcement and security": "治安与执法",
    "Rescue and recovery": "救援与恢复",
    "Health": "卫生健康",
    "Environment": "环境",
    "Transport": "交通运输",
    "Infrastructure": "基础设施",
    "CBRNE": "化生放核爆",
    "Immediate": "立即",
    "Expected": "预计",
    "Future": "未来",
    "Past": "已过去",
    "Unknown": "未知",
    "Extreme": "特别严重",
    "Severe": "严重",
    "Moderate": "较重",
    "Minor": "一般",
    "Observed": "已发生",
    "Likely": "很可能",
    "Possible": "可能",
    "Unlikely": "不太可能",
    "Chinese": "中文",
    "English": "英文",
    "Sending": "发送中",
    "Sent": "已发送",
    "Failed, will retry": "发送失败，待重试",
    "Dead": "已放弃",
    # --- alerts: delivery, models and services --------------------------------------------------
    "A webhook URL must be http(s)://host/…": "回调地址必须形如 http(s)://主机/…",
    "A webhook URL can't carry a user name or password.": "回调地址中不能包含用户名或密码。",
    "The host %(host)s is not on the webhook allow-list.": "主机 %(host)s 不在回调地址白名单中。",
    "The host %(host)s can't be resolved: %(error)s": "无法解析主机 %(host)s：%(error)s",
    "The host %(host)s resolves to a private or local address (%(address)s).": (
        "主机 %(host)s 解析为内网或本地地址（%(address)s）。"
    ),
    "Held back by the sending limit of the robot.": "受机器人发送频率限制，暂缓发送。",
    "group": "群组",
    "The circle the group lives or works in, if any.": "该群组所在（居住或工作）的巡防圈（如有）。",
    "area": "区域",
    "A GeoJSON Polygon or MultiPolygon, instead of a circle.": "GeoJSON 格式的 Polygon 或 MultiPolygon，用于代替巡防圈。",
    "audience": "接收对象",
    "audiences": "接收对象",
    "This station already has an audience of that name.": "本派出所已有同名接收对象。",
    "Give a circle or an area, not both.": "请填写巡防圈或区域，不能同时填写。",
    "Unknown audience group.": "未知的接收群组。",
    "webhook URL": "回调地址",
    "signing secret": "签名密钥",
    "DingTalk robots only: the SEC… signing secret.": "仅限钉钉机器人：以 SEC 开头的签名密钥。",
    "An e-mail address or a mobile number.": "电子邮件地址或手机号码。",
    "endpoint": "发送渠道",
    "endpoints": "发送渠道",
    "A webhook needs its URL.": "回调渠道须填写回调地址。",
    "An e-mail or SMS endpoint needs its address.": "电子邮件或短信渠道须填写地址。",
    "Only a DingTalk robot has a signing secret.": "只有钉钉机器人才有签名密钥。",
    "Unknown endpoint kind.": "未知的渠道类型。",
    "A webhook has a URL, not an address.": "回调渠道只填回调地址，不填收件地址。",
    "Only a webhook has a URL.": "只有回调渠道才有回调地址。",
    "Enter a valid e-mail address.": "请输入有效的电子邮件地址。",
    "state": "状态",
    "identifier": "标识符",
    "sender": "发布方",
    "sent": "发布时间",
    "message type": "消息类型",
    "scope": "发布范围",
    "restriction": "限定范围说明",
    "Who may see a Restricted alert.": "限定范围的预警可由哪些人查看。",
    "references": "引用",
    "The earlier alert an Update or Cancel refers to.": "更新或取消所针对的此前预警。",
    "language": "语言",
    "event": "事件",
    "urgency": "紧迫程度",
    "certainty": "确定程度",
    "headline": "标题",
    "instruction": "应对建议",
    "effective": "生效时间",
    "expires": "失效时间",
    "area description": "区域说明",
    "area polygon": "区域多边形",
    "circle centre latitude": "圆形区域中心纬度",
    "circle centre longitude": "圆形区域中心经度",
    "circle radius (m)": "圆形区域半径（米）",
    "source incident": "来源警情",
    "source hazard": "来源隐患",
    "schedule key": "定时任务键",
    "Set on alerts a schedule made, so that it never makes the same one twice.": (
        "由定时任务生成的预警带有此键，以免重复生成同一条预警。"
    ),
    "drafted by": "起草人",
    "approved by": "批准人",
    "approved at": "批准时间",
    "cancelled by": "撤销人",
    "cancelled at": "撤销时间",
    "alert": "预警",
    "alerts": "预警",
    "An Update or Cancel references an earlier alert; a new Alert doesn't.": "更新或取消须引用此前的预警；首发预警不引用。",
    "An alert must expire after it takes effect.": "预警的失效时间须晚于生效时间。",
    "A Restricted alert says who may see it.": "限定范围的预警须说明可查看的人员。",
    "An approved alert has its approver and its time.": "已批准的预警须有批准人和批准时间。",
    "A circle needs its centre and a radius of at least 1 m.": "圆形区域须有中心点，且半径至少为 1 米。",
    "An alert comes from an incident or a hazard, not both.": "预警来源为警情或隐患之一，不能同时关联。",
    "Unknown alert state.": "未知的预警状态。",
    "Describe the area the alert covers.": "请说明预警覆盖的区域。",
    "The referenced alert belongs to another station.": "所引用的预警属于其他派出所。",
    "idempotency key": "幂等键",
    "attempts": "尝试次数",
    "next attempt at": "下次尝试时间",
    "claimed at": "领取时间",
    "claim token": "领取令牌",
    "held back by the rate limit": "受频率限制暂缓",
    "Waiting rows of a robot go out as a digest.": "机器人的待发消息将合并发送。",
    "digest key": "合并发送键",
    "last error": "最近错误",
    "sent at": "发送时间",
    "acknowledged at": "确认时间",
    "delivery": "推送记录",
    "deliveries": "推送记录",
    "This alert already goes to this endpoint.": "该预警已推送至此渠道。",
    "Unknown delivery state.": "未知的推送状态。",
    "Exactly the sent deliveries have a sending time.": "已发送的推送记录必须有发送时间，其他记录不得有。",
    "A delivery being sent has its claim time.": "发送中的推送记录须有领取时间。",
    "Only a sent delivery can be acknowledged.": "只有已发送的推送才能确认收到。",
    "This alert belongs to another station.": "该预警属于其他派出所。",
    "An audience of another station can't be chosen.": "不能选择其他派出所的接收对象。",
    "You can draft alerts of your own station only.": "您只能起草本所的预警。",
    "Only a draft can be edited: send an Update instead.": "只有草稿可以修改；请改为发布更新。",
    "Around incident %(number)s": "警情 %(number)s 周边",
    "The alert was cancelled before this was sent.": "该预警在此消息发送前已撤销。",
    "Only a station commander or sub-bureau staff can approve an alert.": "只有派出所所长或分局机关人员才能批准预警。",
    "Only a draft can be approved; this one is %(state)s.": "只有草稿才能批准；该预警当前为“%(state)s”。",
    "The referenced alert is no longer in force.": "所引用的预警已失效。",
    "Choose at least one audience before approving.": "批准前请至少选择一个接收对象。",
    "Only an approved alert in force can be updated or cancelled.": "只有已批准且仍有效的预警才能更新或取消。",
    "This delivery belongs to another station.": "该推送记录属于其他派出所。",
    "Only a dead delivery can be retried.": "只有已放弃的推送才能重试。",
    "The alert is no longer in force.": "该预警已失效。",
    "This acknowledgement link has expired.": "该确认链接已过期。",
    "This acknowledgement link is not valid.": "该确认链接无效。",
    "This message is still being delivered; try again in a minute.": "该消息仍在发送中，请一分钟后再试。",
    "Commanders of %(station)s": "%(station)s所领导",
    "P1 incident not dispatched": "P1 警情未派警",
    "P1 incident %(number)s not dispatched after %(minutes)d minutes": "P1 警情 %(number)s 接报 %(minutes)d 分钟后仍未派警",
    "Dispatch a team now, or record why none can go.": "请立即派警，或登记无法派警的原因。",
    "Hazard remediation overdue": "隐患整改超期",
    "Hazard “%(title)s” is %(days)d days past its due date": "隐患“%(title)s”已超过整改期限 %(days)d 天",
    "Remediate the hazard or record its progress.": "请整改该隐患或登记整改进展。",
    "Outside the circles": "巡防圈外",
    "Weekly incident bulletin": "每周警情通报",
    "%(station)s: %(total)d incidents in the week of %(start)s": "%(station)s：%(start)s 当周警情 %(total)d 起",
    "No incidents were recorded.": "本周无警情。",
    "Stay alert to the categories that rose, and pass on clues to the station.": "请对上升的警情类别提高警惕，发现线索及时向派出所反映。",
    "%(circle)s: %(total)d incidents (%(resolved)d resolved)%(parts)s": "%(circle)s：警情 %(total)d 起（已处置 %(resolved)d 起）%(parts)s",
    "There is no station to give the warning to.": "没有可接收该预警的派出所。",
    "From %(sender)s, CAP %(identifier)s": "发布方：%(sender)s，CAP 标识：%(identifier)s",
    # --- incidents: API, filters, rollups -------------------------------------------------------
    "Choose one of: %(choices)s.": "请从以下选项中选择：%(choices)s。",
    "Incident %(number)s is at version %(current)s, not %(given)s: reload it.": (
        "警情 %(number)s 当前版本为 %(current)s，而不是 %(given)s：请重新加载。"
    ),
    "Only phone and id_number can be revealed.": "只有 phone 和 id_number 可以查看明文。",
    "You may not reveal personal data.": "您无权查看个人信息明文。",
    "Choose the station that handles the request.": "请选择办理该申请的派出所。",
    "Queue time measured": "已计算等待派警时长",
    "Travel time measured": "已计算途中时长",
    "Response time measured": "已计算响应时长",
    "Time on scene measured": "已计算现场处置时长",
    "Hour of occurrence": "发生时段（小时）",
    "Weekday of occurrence (1 Monday … 7 Sunday)": "发生于星期几（1 为周一 … 7 为周日）",
    "Measured": "已计算",
    "day": "日期",
    "weekday": "星期",
    "ISO weekday: 1 Monday … 7 Sunday; 0 in a longer span's row that sums every weekday.": "ISO 星期：1 为周一 … 7 为周日；汇总各星期的较长跨度统计行为 0。",
    "The first day of the span.": "统计跨度的第一天。",
    "span": "统计跨度",
    "rollup span\x04day": "日",
    "rollup span\x04week": "周",
    "rollup span\x04month": "月",
    "rollup span\x04quarter": "季度",
    "rollup span\x04year": "年",
    "count": "数量",
    "incident rollup": "警情统计",
    "incident rollups": "警情统计",
    "measure": "统计项",
    "bin": "分组",
    "incident bin rollup": "警情分组统计",
    "incident bin rollups": "警情分组统计",
    # --- partyorg: choices and models -----------------------------------------------------------
    "Secretary": "书记",
    "Committee member": "支委委员",
    "Party member": "党员",
    "Probationary member": "预备党员",
    "Health education": "健康教育",
    "Elderly care": "关爱老人",
    "Poverty relief and orphan aid": "扶贫济孤",
    "Disability and study aid": "助残助学",
    "Lei Feng service": "学雷锋服务",
    "Hospital": "医院",
    "School": "学校",
    "Government department": "政府部门",
    "Professional rescue organisation": "专业救援组织",
    "Environmental protection department": "环保部门",
    "Construction department": "建设部门",
    "Public waters department": "水务部门",
    "Park management": "公园管理处",
    "Meteorological department": "气象部门",
    "Monday": "星期一",
    "Tuesday": "星期二",
    "Wednesday": "星期三",
    "Thursday": "星期四",
    "Friday": "星期五",
    "Saturday": "星期六",
    "Sunday": "星期日",
    "In force on": "有效日期",
    "Put members on the roll first; then choose the secretary among them.": "请先登记党员名册，再从中选择书记。",
    "secretary": "书记",
    "A party member of this branch.": "本支部的党员。",
    "founded on": "成立日期",
    "party branch": "党支部",
    "party branches": "党支部",
    "The secretary must be on this branch's party roll.": "书记必须在本支部党员名册中。",
    "branch": "党支部",
    "group leader": "党小组组长",
    "party group": "党小组",
    "party groups": "党小组",
    "The team belongs to another station than the branch.": "该巡防队与党支部不属于同一派出所。",
    "The group leader must be on this branch's party roll.": "党小组组长必须在本支部党员名册中。",
    "date joined": "入党日期",
    "party members": "党员",
    "This branch already has a secretary on its roll.": "本支部名册中已有书记。",
    "The member belongs to another station than the branch.": "该队员与党支部不属于同一派出所。",
    "The group belongs to another branch.": "该党小组属于其他党支部。",
    "A GeoJSON Polygon or MultiPolygon inside the circle.": "位于巡防圈内的 GeoJSON 格式 Polygon 或 MultiPolygon。",
    "tasks": "责任任务",
    "members answerable": "责任党员",
    "responsibility zone": "党员责任区",
    "responsibility zones": "党员责任区",
    "The zone must lie inside its circle “%(circle)s”.": "责任区必须位于其巡防圈“%(circle)s”内。",
    "%(name)s is on another station's roll.": "%(name)s在其他派出所的名册中。",
    "%(name)s works in another circle.": "%(name)s在其他巡防圈工作。",
    "pledge": "承诺",
    "The post's public commitment.": "先锋岗的公开承诺。",
    "duties": "职责",
    "members on duty": "在岗党员",
    "vanguard post": "党员先锋岗",
    "vanguard posts": "党员先锋岗",
    "Only a post of the kind “party-member vanguard post” can be one.": "只有类型为“党员先锋岗”的点位才能设为先锋岗。",
    "%(name)s works for another station.": "%(name)s在其他派出所工作。",
    "date": "日期",
    "until": "至",
    "vanguard duty": "先锋岗值守",
    "vanguard rota": "先锋岗值守表",
    "Give either a weekday or a date, not both.": "请填写星期或日期之一，不能同时填写。",
    "A duty must end at another time than it starts.": "值守结束时间不能与开始时间相同。",
    "The member is on another station's roll.": "该党员在其他派出所的名册中。",
    "community": "社区",
    "branch name": "支部名称",
    "community branch": "社区党支部",
    "community branches": "社区党支部",
    "position": "职务",
    "Deputy secretary": "副书记",
    "starts on": "开始日期",
    "ends on": "结束日期",
    "Leave empty while open-ended.": "未定结束日期时留空。",
    "secondment": "挂职",
    "secondments": "挂职",
    "A secondment can't end before it starts.": "挂职结束日期不能早于开始日期。",
    "The community branch is in another station's area.": "该社区党支部在其他派出所辖区内。",
    "%(member)s is already seconded to %(branch)s from %(start)s to %(end)s; a member can't hold two overlapping secondments.": (
        "%(member)s已于 %(start)s 至 %(end)s 挂职%(branch)s；同一党员的挂职时间不能重叠。"
    ),
    "open end": "未定",
    "The circle the partner works with, if one.": "共建单位对接的巡防圈（如有）。",
    "agreement signed on": "协议签订日期",
    "agreement ends on": "协议到期日期",
    "contact": "联系人",
    "cooperation": "合作内容",
    "What the partner and the police do together.": "共建单位与公安机关共同开展的工作。",
    "co-building partner": "共建单位",
    "co-building partners": "共建单位",
    "The agreement can't end before it was signed.": "协议到期日期不能早于签订日期。",
    "place": "地点",
    "participants": "参加人员",
    "partner": "共建单位",
    "beneficiaries": "受益人数",
    "People served.": "服务人数。",
    "volunteer hours": "志愿服务时长",
    "Person-hours given in all.": "总服务时长（人·小时）。",
    "volunteer activity": "志愿服务活动",
    "volunteer activities": "志愿服务活动",
    "The volunteer hours must be more than zero.": "志愿服务时长必须大于零。",
    "The partner works with another station.": "该共建单位与其他派出所共建。",
    "%(name)s is a member of another station.": "%(name)s是其他派出所的队员。",
    "The member has secondments on record: end them instead of removing the member.": "该党员有挂职记录：请结束挂职，而不是移除该党员。",
    "%(member)s already holds a secondment in that period.": "%(member)s在该期间已有挂职。",
    "Responsibility zone": "党员责任区",
    "%(n)s activities, %(hours)s volunteer hours, %(served)s people served": "活动 %(n)s 次，志愿服务 %(hours)s 小时，服务 %(served)s 人",
    "youth-league members": "团员",
    "Party building of the sub-bureau": "分局党建",
    "Party building of %(station)s": "%(station)s党建",
    # --- portal: API ----------------------------------------------------------------------------
    "Give the token as: Authorization: Bearer <token>.": "请按 Authorization: Bearer <token> 的格式提供令牌。",
    "The token is not valid.": "令牌无效。",
    "The token was revoked.": "令牌已被吊销。",
    "The token has expired.": "令牌已过期。",
    "The token's user is inactive.": "令牌所属用户已停用。",
    "Invalid input: %(first)s": "输入无效：%(first)s",
    "Invalid input.": "输入无效。",
    "Unknown field.": "未知字段。",
    "Give a whole number from 1 to %(max)s.": "请输入 1 到 %(max)s 之间的整数。",
    "Invalid cursor.": "游标无效。",
    "The cursor belongs to another ordering.": "该游标属于另一种排序。",
    "The next page.": "下一页。",
    "The previous page.": "上一页。",
    "Synchronisation walks only: the upper bound of this walk; poll again with updated_since set to it.": (
        "仅用于数据同步遍历：本次遍历的上限时间；下次轮询时将 updated_since 设为此值。"
    ),
    "The page to fetch: the opaque value from a `next` or `previous` link.": "要获取的页：取自 `next` 或 `previous` 链接的不透明值。",
    "Rows per page (default %(default)s).": "每页条数（默认 %(default)s）。",
    "This token lacks the scope “%(scope)s” that this endpoint needs.": "该令牌缺少此接口所需的权限范围“%(scope)s”。",
    "API tokens can't use this endpoint.": "API 令牌不能使用此接口。",
    'Messages per field; those not tied to a field are under "non_field_errors". Empty if none.': (
        '按字段列出的错误信息；与字段无关的信息在 "non_field_errors" 下。没有错误时为空。'
    ),
    "What went wrong, in one sentence.": "用一句话说明出错原因。",
    "Only lists can be exported as CSV or XLSX.": "只有列表可以导出为 CSV 或 XLSX。",
    "Send If-Match with the ETag of the version you are changing (from GET of this record).": (
        "请在 If-Match 中发送所修改版本的 ETag（通过 GET 该记录获得）。"
    ),
    "If-Match doesn't name the current version of this record.": "If-Match 不是该记录的当前版本。",
    # --- portal: dashboards, tokens, map --------------------------------------------------------
    "Mon": "周一",
    "Tue": "周二",
    "Wed": "周三",
    "Thu": "周四",
    "Fri": "周五",
    "Sat": "周六",
    "Sun": "周日",
    "under 1 hour": "1 小时以内",
    "1–4 hours": "1–4 小时",
    "4–24 hours": "4–24 小时",
    "1–7 days": "1–7 天",
    "over 7 days": "7 天以上",
    "Party members": "党员",
    "Party groups": "党小组",
    "Responsibility zones": "党员责任区",
    "Vanguard posts": "党员先锋岗",
    "Secondments": "挂职",
    "Read incidents, tips, mediation, hazards and service requests": "读取警情、线索、调解、安全隐患和警务服务申请",
    "Record and change incidents, tips and hazards": "登记和修改警情、线索和安全隐患",
    "Read the patrol network (stations, circles, teams, posts, ...)": "读取巡防网络（派出所、巡防圈、巡防队、点位等）",
    "Read alerts and bulletins": "读取预警和通报",
    "Issue alerts and bulletins": "发布预警和通报",
    "Read the party organisation": "读取党组织信息",
    "Deliver weather warnings": "推送气象预警",
    "What the token is for, e.g. the client system.": "令牌用途，如对接的客户端系统。",
    "prefix": "前缀",
    "key hash": "密钥哈希",
    "scopes": "权限范围",
    "expires at": "过期时间",
    "revoked at": "吊销时间",
    "last used at": "最近使用时间",
    "API token": "API 令牌",
    "API tokens": "API 令牌",
    "Choose one or more scopes from the list.": "请从列表中选择一个或多个权限范围。",
    "model": "数据类型",
    "station id": "派出所 ID",
    "deleted at": "删除时间",
    "deleted record": "已删除记录",
    "deleted records": "已删除记录",
    "Unknown scope(s): %(unknown)s. Choose from: %(known)s.": "未知的权限范围：%(unknown)s。可选：%(known)s。",
    "Give at least one scope.": "请至少提供一个权限范围。",
    "Name the token (what it is for).": "请填写令牌名称（用途）。",
    "The user is inactive.": "该用户已停用。",
    "Give the number of days as a whole number.": "天数须为整数。",
    "A token lives from 1 to %(max)s days.": "令牌有效期为 1 到 %(max)s 天。",
    "Party responsibility zones": "党员责任区",
    "Party vanguard posts": "党员先锋岗",
    "Tasks": "责任任务",
    # --- templates: party building --------------------------------------------------------------
    "Party building": "党建",
    "Party building overview": "党建概览",
    "My station's party building": "本所党建",
    "Party branches": "党支部",
    "Party roll": "党员名册",
    "Vanguard rota": "先锋岗值守表",
    "Community branches": "社区党支部",
    "Volunteer activities": "志愿服务活动",
    "Co-building partners": "共建单位",
    "No secondments.": "暂无挂职。",
    "Nobody on the roll.": "名册中暂无人员。",
    "Year": "年份",
    "Show": "查看",
    "Secondments in force": "在任挂职",
    "Volunteer hours in %(year)s": "%(year)s 年志愿服务时长",
    "%(n)s activity": "活动 %(n)s 次",
    "Patrol hours led by party members": "党员带班巡逻时长",
    "%(n)s resolved incidents credited": "计入已处置警情 %(n)s 起",
    "Stations": "派出所",
    "Party branch": "党支部",
    "Groups": "党小组",
    "Zones": "责任区",
    "Volunteer hours": "志愿服务时长",
    "Party groups and their teams": "党小组及其巡防队",
    "A group's team is credited with the hours of all its patrol shifts that start in the year and with each incident resolved in the year that the team was assigned to.": (
        "党小组所在巡防队计入当年开始的全部巡逻班次时长，以及当年处置完毕且该队参与派警的每起警情。"
    ),
    "Party group": "党小组",
    "Shifts": "巡逻班次",
    "Patrol hours": "巡逻时长",
    "Resolved incidents": "已处置警情",
    "No party groups.": "暂无党小组。",
    "All groups": "全部党小组",
    "Credited to party members": "计入党员",
    "A party member is credited with the shifts they led and with each resolved incident a team was assigned to while on a shift they led.": (
        "党员计入其带班的巡逻班次，以及在其带班期间巡防队参与派警并已处置的每起警情。"
    ),
    "Shifts led": "带班次数",
    "Nobody on the party roll.": "党员名册中暂无人员。",
    "%(n)s member": "%(n)s 名党员",
    "No zones.": "暂无责任区。",
    "%(n)s member on duty": "在岗党员 %(n)s 名",
    "No vanguard posts.": "暂无党员先锋岗。",
    "No secondments in force.": "暂无在任挂职。",
    "Party building of the station": "本所党建",
    "Members of the group": "党小组成员",
    "Rota": "值守表",
    "No duties on the rota.": "值守表中暂无安排。",
    "Add a duty": "添加值守",
    "Day": "日期",
    "Hours": "时段",
    "Nobody on the rota yet.": "值守表中暂无人员。",
    # --- alerts: CAP import, forms, views ------------------------------------------------------
    "This element is required.": "此元素为必填项。",
    "“%(value)s” is not one of CAP's values.": "“%(value)s”不是 CAP 规定的取值。",
    "Give a date and time with its offset, e.g. 2026-05-13T23:00:00+08:00.": "请填写带时区偏移的日期时间，如 2026-05-13T23:00:00+08:00。",
    "A polygon is space-separated “lat,lon” pairs.": "多边形为以空格分隔的“纬度,经度”坐标对。",
    "A circle is “lat,lon radius-in-km”.": "圆形区域格式为“纬度,经度 半径（千米）”。",
    "Document type declarations and entities are not accepted.": "不接受文档类型声明（DTD）和实体。",
    "Not well-formed XML: %(error)s": "XML 格式不正确：%(error)s",
    "The root element must be <alert> in the CAP 1.2 namespace.": "根元素必须是 CAP 1.2 命名空间中的 <alert>。",
    "A warning needs an <info> block.": "预警必须包含 <info> 块。",
    "Optional: a polygon the alert covers, in place of (or beside) a circle.": "选填：预警覆盖的多边形区域，可代替（或配合）圆形区域。",
    "Every active channel of these groups gets the alert once it is approved.": "预警批准后，将推送至这些群组的所有启用渠道。",
    "target": "接收地址",
    "The alert was approved: %(count)d deliveries are on their way.": "预警已批准：%(count)d 条推送正在发送。",
    "The draft was withdrawn.": "草稿已撤回。",
    "The cancellation was sent to the alert's audiences.": "取消通知已发送给该预警的接收对象。",
    "A cancellation was drafted: a commander must approve it.": "已起草取消通知，须由所领导批准。",
    "An update was drafted: edit it, then approve it.": "已起草更新，请修改后批准。",
    "retry": "重试",
    "The delivery will be sent again.": "该推送将重新发送。",
    "Current public alerts": "当前公开预警",
    "Alert warnings and bulletins of the sub-bureau in force now.": "分局当前有效的警情预警和警情通报。",
    "every %(seconds)g s": "每 %(seconds)g 秒",
    "Worker heartbeat": "后台任务心跳",
    "Re-queue due and stuck deliveries": "重新排队到期和卡住的推送",
    "Escalate P1 incidents not dispatched in time": "上报未及时派警的 P1 警情",
    "Draft the weekly incident bulletins": "起草每周警情通报",
    "Remind of hazards past their due date": "提醒超过整改期限的隐患",
    "within %(seconds)g s": "%(seconds)g 秒内",
    # --- dashboards -----------------------------------------------------------------------------
    "Period": "统计周期",
    "Today": "今天",
    "Custom range": "自定义时间段",
    "Give both dates of the custom range.": "请填写自定义时间段的起止日期。",
    "The range must start before it ends.": "时间段的开始日期须早于结束日期。",
    "The range can't end in the future.": "时间段的结束日期不能晚于今天。",
    "The range can be at most five years long.": "时间段最长为五年。",
    "This period": "本期",
    "Previous period": "上期",
    "min": "分钟",
    "Median": "中位数",
    "90th percentile": "90% 分位数",
    "Response": "出警",
    "compared with": "对比",
    "Dashboards": "统计看板",
    "Station dashboard": "派出所看板",
    "Circles side by side": "各圈对比",
    "previous": "上期",
    "Open now": "当前未结",
    "Teams on duty now": "当前在勤巡防队",
    "%(p)s patrolling, %(r)s responding": "巡逻中 %(p)s 支，出警中 %(r)s 支",
    "Patrol hours (shifts)": "巡逻时长（班次）",
    "patrol %(p)s%% · response %(r)s%%": "巡逻 %(p)s%% · 出警 %(r)s%%",
    "Tips received": "接收线索",
    "%(v)s verified, %(c)s converted": "已核实 %(v)s 条，已转警情 %(c)s 条",
    "%(p)s%% of decided cases settled": "已有结果的案件中 %(p)s%% 调解成功",
    "none decided yet": "暂无结果",
    "Hazards open": "未消除隐患",
    "%(o)s overdue": "已超期 %(o)s 项",
    "Alerts sent": "已发预警",
    "%(p)s%% acknowledged": "已确认 %(p)s%%",
    "no deliveries yet": "暂无推送",
    "Incidents by category": "警情类别分布",
    "Incidents by priority": "警情紧急程度分布",
    "Incidents by hour and weekday": "警情时段分布（按小时和星期）",
    "Queue, travel, response and on-scene times (minutes)": "等待派警、途中、响应和现场处置时长（分钟）",
    "median / 90%%": "中位数 / 90%%",
    "%(n)s incident measured": "共计算 %(n)s 起警情",
    "Open incidents by age": "未结警情时长分布",
    "Patrol time and response time": "巡逻时间与出警时间",
    "Patrol (hours)": "巡逻（小时）",
    "Response (hours)": "出警（小时）",
    "Teams now: %(state)s": "当前巡防队：%(state)s",
    "Hotspots": "警情热点",
    "Map of the hotspots": "警情热点地图",
    "Grid cell (centre)": "网格（中心点）",
    "No incidents in this period.": "本期无警情。",
    "Print": "打印",
    "The circles side by side": "各巡防圈对比",
    "Incidents per circle": "各圈警情数",
    "Categories per circle": "各圈警情类别",
    "Hour and weekday: %(circle)s": "时段分布：%(circle)s",
    # --- API tokens -----------------------------------------------------------------------------
    "What the token is for.": "令牌用途。",
    "Scopes": "权限范围",
    "Valid for (days)": "有效期（天）",
    "The token %(prefix)s… was revoked.": "令牌 %(prefix)s… 已吊销。",
    "API": "API",
    "API documentation": "API 文档",
    "API token created": "API 令牌已创建",
    "Copy the token now: it is shown only this once and can't be shown again.": "请立即复制令牌：它只显示这一次，之后无法再次查看。",
    "New API token": "新建 API 令牌",
    "Create": "创建",
    "New token": "新建令牌",
    "A token lets another system use the API as you: it sees your station's data with your permissions, limited to its scopes. Send it as “Authorization: Bearer <token>”.": (
        "令牌可让其他系统以您的身份使用 API：它按您的权限查看本所数据，并受其权限范围限制。"
        "请以“Authorization: Bearer <token>”的形式发送。"
    ),
    "Token": "令牌",
    "Expires": "过期时间",
    "Last used": "最近使用",
    "State": "状态",
    "Revoked": "已吊销",
    "Expired": "已过期",
    "Active": "有效",
    "Revoke": "吊销",
    "You have no API tokens.": "您还没有 API 令牌。",
    # --- alerts: pages --------------------------------------------------------------------------
    "Send a CAP 1.2 document as application/cap+xml.": "请以 application/cap+xml 格式发送 CAP 1.2 文档。",
    "The document is too large.": "文档过大。",
    "Alerts": "预警",
    "Acknowledge an alert": "确认收到预警",
    "Acknowledged at %(time)s. Thank you.": "已于 %(time)s 确认收到。谢谢。",
    "I have received this alert": "我已收到此预警",
    "Approve and send": "批准并发送",
    "Edit draft": "修改草稿",
    "Draft an update": "起草更新",
    "Reason (optional)": "理由（选填）",
    "Cancel the alert": "取消预警",
    "Withdraw the draft": "撤回草稿",
    "CAP 1.2 XML": "CAP 1.2 XML",
    "Audiences": "接收对象",
    "No audience chosen yet.": "尚未选择接收对象。",
    "Updates and cancellations": "更新和取消",
    "Endpoints": "发送渠道",
    "Add endpoint": "添加发送渠道",
    "inactive": "已停用",
    "No endpoints yet.": "暂无发送渠道。",
    "Dead deliveries": "发送失败的推送",
    "Deliveries": "推送记录",
    "Acknowledged": "已确认",
    "Endpoint": "发送渠道",
    "Audience": "接收对象",
    "Attempts": "尝试次数",
    "Sent at": "发送时间",
    "Acknowledged at": "确认时间",
    "Last error": "最近错误",
    "Retry": "重试",
    "The first %(shown)s of %(total)s deliveries are listed, those needing attention first.": (
        "共 %(total)s 条推送，列出前 %(shown)s 条，需要处理的排在前面。"
    ),
    "Nothing is sent before the alert is approved.": "预警批准前不会发送任何消息。",
    "This alert has no deliveries.": "该预警没有推送记录。",
    "Schedules": "定时任务",
    "Celery beat runs these. A P1 incident not dispatched within %(minutes)s minutes is escalated to its station's commanders.": (
        "以下任务由 Celery beat 定时执行。P1 警情接报 %(minutes)s 分钟内未派警的，将上报所属派出所所领导。"
    ),
    "Schedule": "执行周期",
    "Task": "任务",
    "When": "执行时间",
    "Next run": "下次执行",
    "Deliveries now": "当前推送",
    "Due to be sent": "待发送",
    "Stuck in sending": "发送卡住",
    "Alert list": "预警列表",
    "Draft an alert": "起草预警",
    "Public alerts feed (Atom)": "公开预警订阅（Atom）",
    "Dashboard": "统计看板",
    "WeCom or DingTalk robot address with its key, or a JSON receiver on the allow-list.": (
        "带密钥的企业微信或钉钉机器人地址，或白名单中的 JSON 接收地址。"
    ),
    "%(count)s incident": "%(count)s 起警情",
    # --- incident import ---------------------------------------------------------------------
    "when it happened": "发生时间",
    "when it was reported": "报警时间",
    "category code": "类别代码",
    "priority code": "等级代码",
    "source code": "来源代码",
    "station code": "派出所代码",
    "number in the source system": "原系统中的编号",
    "when a team was first dispatched": "首次派警时间",
    "when a team first arrived": "首次到场时间",
    "when it was resolved": "处置完毕时间",
    "when it was closed": "结案时间",
    "%(count)s row has errors: nothing was imported. Correct it and import the file again.": "%(count)s 行有错误，未导入任何数据。请改正后重新导入。",
    "The file can't be imported: %(reason)s": "文件无法导入：%(reason)s",
    "row %(row)s": "第 %(row)s 行",
    "file": "文件",
    "… and %(count)s more.": "……另有 %(count)s 处。",
    "You may not import incidents.": "您无权导入警情。",
    "You may only import into your own station.": "只能导入到本派出所。",
    "The database refused the rows: %s": "数据库拒绝了这些行：%s",
    "The file is not UTF-8 text: save it as “CSV UTF-8” and try again.": "文件不是 UTF-8 文本：请另存为“CSV UTF-8”后重试。",
    "The file is not valid CSV: %s": "文件不是有效的 CSV：%s",
    "The file is empty.": "文件为空。",
    "Unknown columns: %(names)s.": "未知的列：%(names)s。",
    "Missing columns: %(names)s.": "缺少列：%(names)s。",
    "Columns given twice: %(names)s.": "重复的列：%(names)s。",
    "The file has a header but no rows.": "文件只有表头，没有数据行。",
    "Give the time.": "请填写时间。",
    "“%(value)s” is not a time: write it like 2026-03-01 14:05.": "“%(value)s”不是有效时间：请按 2026-03-01 14:05 的格式填写。",
    "%(column)s can't be before %(floor)s.": "%(column)s 不能早于 %(floor)s。",
    "A closed incident needs resolved_at.": "已结案的警情须填写 resolved_at。",
    "Unknown code “%(value)s”: use one of %(codes)s.": "未知代码“%(value)s”：请使用 %(codes)s 之一。",
    "The row has %(found)s values, the header %(width)s.": "该行有 %(found)s 个值，表头有 %(width)s 列。",
    "Give a summary.": "请填写简要案情。",
    "At most %(limit)s characters (this has %(length)s).": "最多 %(limit)s 个字符（此处有 %(length)s 个）。",
    "Unknown station code “%(value)s”.": "未知的派出所代码“%(value)s”。",
    "“%(value)s” is also in row %(row)s.": "“%(value)s”在第 %(row)s 行也出现了。",
    "“%(value)s” was imported before, as incident %(number)s.": "“%(value)s”已导入过，即警情 %(number)s。",
    "“%(value)s” was imported before, by another station.": "“%(value)s”已由其他派出所导入过。",
    "Station given in the import.": "导入时指定的派出所。",
    "The row belongs to %(station)s: you may only import into your own station.": "该行属于%(station)s：只能导入到本派出所。",
    "file name": "文件名",
    "rows": "行数",
    "imported by": "导入人",
    "imported at": "导入时间",
    "incident import": "警情导入记录",
    "incident imports": "警情导入记录",
    "external reference": "外部编号",
    "The incident's number in the system it was imported from (unique when given).": "警情在导入来源系统中的编号（填写时不得重复）。",
    "imported with": "导入批次",
    "An incident with this external reference already exists.": "已有相同外部编号的警情。",
    "CSV file": "CSV 文件",
    "UTF-8, one incident per row, the first row naming the columns.": "UTF-8 编码，每行一起警情，第一行为列名。",
    "For the rows with an empty station column. Leave empty to place them by their location.": "用于 station 列为空的行；留空则按位置确定所属派出所。",
    "The file is %(size)s; at most %(limit)s can be uploaded: split it, or ask IT to use the command.": "文件大小为 %(size)s，上传上限为 %(limit)s：请拆分文件，或请信息中心用命令导入。",
    "%(count)s incidents were imported from %(file)s (%(first)s … %(last)s).": "已从 %(file)s 导入 %(count)s 起警情（%(first)s … %(last)s）。",
    "Import incidents": "导入警情",
    "Import": "导入",
    "Row": "行",
    "Column": "列",
    "Problem": "问题",
    "%(counter)s problem in all; the first %(max_listed)s are listed.": "共 %(counter)s 处问题，仅列出前 %(max_listed)s 处。",
    "%(file)s: %(counter)s row is correct and can be imported.": "%(file)s：%(counter)s 行无误，可以导入。",
    "Nothing was written yet.": "尚未写入任何数据。",
    "Please correct the errors below; nothing was imported.": "请改正以下错误；未导入任何数据。",
    "Every row is checked first: if any row has an error, nothing is imported and the errors are listed with their row numbers (the header is row 1).": "先检查每一行：任何一行有错都不导入任何数据，并按行号列出错误（表头为第 1 行）。",
    "Check only": "仅检查",
    "Columns": "列说明",
    "The first row names the columns (in any order). Times without an offset are local time, e.g. 2026-03-01 14:05. Codes are those of the API (category, priority, source).": "第一行为列名（顺序不限）。未带时区的时间按北京时间理解，例如 2026-03-01 14:05。代码与 API 相同（类别、等级、来源）。",
    "Download an empty file": "下载空白模板",
    "Holds": "内容",
    "Required": "必填",
    "yes": "是",
    "No such file: %(path)s": "文件不存在：%(path)s",
    "No active user “%(value)s”.": "没有有效用户“%(value)s”。",
    "%(count)s rows are correct (%(stations)s); nothing was written (--dry-run).": "%(count)s 行无误（%(stations)s）；未写入任何数据（--dry-run）。",
    "%(count)s incidents imported (%(stations)s), numbered %(first)s … %(last)s.": "已导入 %(count)s 起警情（%(stations)s），编号 %(first)s … %(last)s。",
}


# --- a small .po reader and writer ----------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")\s*$')


def unquote(token: str) -> str:
    """The value of one C-quoted .po string token, e.g. `"a\\"b"` -> `a"b`."""
    body = token.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def po_lines(keyword: str, text: str) -> list[str]:
    """`keyword "text"`, split after each newline the way gettext writes multi-line strings."""
    parts = text.splitlines(keepends=True)
    if len(parts) <= 1:
        return [f"{keyword} {quote(text)}"]
    return [f'{keyword} ""'] + [quote(part) for part in parts]


@dataclass
class Entry:
    comments: list[str] = field(default_factory=list)  # every '#' line but obsolete ones
    raw_keys: list[str] = field(default_factory=list)  # msgctxt / msgid / msgid_plural lines, verbatim
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index (0 for a singular) -> text
    obsolete_lines: list[str] | None = None  # a '#~' entry is kept as it is

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    @property
    def flags(self) -> set[str]:
        return {f.strip() for c in self.comments if c.startswith("#,") for f in c[2:].split(",") if f.strip()}

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    def set_fuzzy(self, on: bool) -> None:
        flags = [f for f in sorted(self.flags) if f != "fuzzy"] + (["fuzzy"] if on else [])
        kept = [c for c in self.comments if not c.startswith("#,") and (on or not c.startswith("#|"))]
        # gettext order: translator (# ), extracted (#.), reference (#:), flags (#,), previous (#|)
        at = next((i for i, c in enumerate(kept) if c.startswith("#|")), len(kept))
        self.comments = kept[:at] + ([f"#, {', '.join(flags)}"] if flags else []) + kept[at:]

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and not self.fuzzy

    def render(self) -> str:
        if self.obsolete_lines is not None:
            return "\n".join(self.obsolete_lines)
        lines = list(self.comments) + list(self.raw_keys)
        if self.msgid_plural is None:
            lines += po_lines("msgstr", self.msgstr.get(0, ""))
        else:
            for index in sorted(self.msgstr):
                lines += po_lines(f"msgstr[{index}]", self.msgstr[index])
        return "\n".join(lines)


def parse_po(text: str) -> list[Entry]:
    entries = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        lines = block.splitlines()
        if any(line.startswith("#~") for line in lines) and not any(line.startswith(("msg", '"')) for line in lines):
            entries.append(Entry(obsolete_lines=lines))
            continue
        entry, current, raw = Entry(), None, False
        for line in lines:
            if line.startswith("#"):
                entry.comments.append(line)
                continue
            match = _KEYWORD.match(line)
            if match:
                current, value = match.group(1), unquote(match.group(2))
                raw = not current.startswith("msgstr")
            elif line.strip().startswith('"') and current:
                value = unquote(line)
            else:
                raise ValueError(f"Unreadable .po line: {line!r}")
            if raw:
                entry.raw_keys.append(line)
            if match is None:
                value = _get(entry, current) + value
            _set(entry, current, value)
        entries.append(entry)
    return entries


def _get(entry: Entry, keyword: str) -> str:
    if keyword.startswith("msgstr"):
        return entry.msgstr.get(int(keyword[7:-1]) if "[" in keyword else 0, "")
    return getattr(entry, keyword) or ""


def _set(entry: Entry, keyword: str, value: str) -> None:
    if keyword.startswith("msgstr"):
        entry.msgstr[int(keyword[7:-1]) if "[" in keyword else 0] = value
    else:
        setattr(entry, keyword, value)


# --- checks -------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdiouxXeEfFgGcr]|\{[^{}]*\}|</?[a-zA-Z][^<>]*>")


def placeholders(text: str) -> Counter:
    return Counter(_PLACEHOLDER.findall(text.replace("%%", "")))


def problems_of(entry: Entry) -> list[str]:
    if entry.fuzzy:
        return []  # a guess of msgmerge: reported as missing instead
    source = entry.msgid_plural if entry.msgid_plural is not None else entry.msgid
    found = []
    for index, text in entry.msgstr.items():
        if text and placeholders(text) != placeholders(source):
            found.append(
                f"placeholders/tags differ in msgstr[{index}] of {entry.msgid!r}: "
                f"{sorted(placeholders(source).elements())} vs {sorted(placeholders(text).elements())}"
            )
    return found


# --- the run ------------------------------------------------------------------------------------


def update_header(entry: Entry) -> None:
    lines = [line for line in entry.msgstr.get(0, "").split("\n") if line]
    seen = set()
    for i, line in enumerate(lines):
        name = line.split(":", 1)[0]
        if name in HEADER_FIELDS:
            lines[i] = f"{name}: {HEADER_FIELDS[name]}"
            seen.add(name)
    lines += [f"{name}: {value}" for name, value in HEADER_FIELDS.items() if name not in seen]
    entry.msgstr[0] = "\n".join(lines) + "\n"
    if any("SOME DESCRIPTIVE TITLE" in c for c in entry.comments):
        entry.comments = [c for c in entry.comments if not c.startswith("#") or c.startswith(("#,", "#."))]
        entry.comments[:0] = HEADER_COMMENTS
    entry.set_fuzzy(False)


def stamp_revision_date(entry: Entry) -> None:
    now = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M%z")
    entry.msgstr[0] = re.sub(r"(?m)^PO-Revision-Date: .*$", f"PO-Revision-Date: {now}", entry.msgstr[0])


def translate(entries: list[Entry]) -> tuple[int, list[Entry], list[str]]:
    """Fill the entries from TRANSLATIONS; return (how many were filled, the missing ones, problems)."""
    filled, missing, problems = 0, [], []
    for entry in entries:
        if entry.obsolete_lines is not None:
            continue
        if entry.msgid == "" and entry.msgctxt is None:
            update_header(entry)
            continue
        wanted = TRANSLATIONS.get(entry.key)
        if wanted is not None:
            indexes = range(NPLURALS) if entry.msgid_plural is not None else [0]
            new = dict.fromkeys(indexes, wanted)
            if new != entry.msgstr or entry.fuzzy:
                filled += 1
            entry.msgstr = new
            entry.set_fuzzy(False)
        elif entry.msgid_plural is not None:
            # keep a hand-written translation; drop the forms zh does not have
            entry.msgstr = {i: entry.msgstr.get(i, "") for i in range(NPLURALS)}
        if not entry.translated:
            missing.append(entry)
        problems += problems_of(entry)
    return filled, missing, problems


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    path = Path(next((a for a in argv if not a.startswith("--")), PO_PATH))
    entries = parse_po(path.read_text(encoding="utf-8"))
    filled, missing, problems = translate(entries)
    header = next((e for e in entries if e.obsolete_lines is None and e.key == ""), None)
    if header is not None and (filled or "YEAR-MO-DA" in header.msgstr.get(0, "")):
        stamp_revision_date(header)
    if not check_only:
        path.write_text("\n\n".join(entry.render() for entry in entries) + "\n", encoding="utf-8")
    total = sum(1 for e in entries if e.obsolete_lines is None and e.key != "")
    print(
        f"{path}: {total} entries, {filled} {'to fill' if check_only else 'filled'} from the table, "
        f"{len(missing)} missing, {len(problems)} problems."
    )
    unused = sorted(TRANSLATIONS.keys() - {e.key for e in entries if e.obsolete_lines is None})
    if unused:
        print(f"{len(unused)} table entries match no msgid (strings removed from the code; may be pruned):")
        for key in unused:
            print(f"    {key!r}")
    for problem in problems:
        print("PROBLEM:", problem)
    if missing:
        print("Missing translations (add them to TRANSLATIONS in locale/translate_zh_hans.py):")
        for entry in missing:
            where = " ".join(c[3:] for c in entry.comments if c.startswith("#:"))
            guess = f"  # fuzzy guess: {entry.msgstr.get(0)!r}" if entry.fuzzy and entry.msgstr.get(0) else ""
            print(f'    {entry.key!r}: "",  # {where}{guess}')
    return 1 if missing or problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
