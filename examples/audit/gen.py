#!/usr/bin/env python3
"""Generate examples/audit/log.jsonl and log.csv: a year (2020) of tasks that units of
Yingjiang district (安庆市迎江区) actually sent down to its communities, as a civil-affairs
bureau would collect them for an audit (Y8). Deterministic: the same rows every run.

Most tasks are on the two lists (Y1) or went through the admission procedure with basis,
work plan, period and funding (Y4, Y5). A handful did not, of every kind the audit tells
apart: negative-list items (Y3), items sent without approval or before it (Y2, Y7), an
approved item without funding (Y5), and approvals that were incomplete or had lapsed.
The list entries are the policy's illustrative (示例) ones; units and streets are real
bodies of the district, the tasks are invented.

Usage: python3 examples/audit/gen.py   (writes next to this file)
"""

import csv
import datetime as dt
import json
import os
import random

rng = random.Random(2020)
HERE = os.path.dirname(os.path.abspath(__file__))
GROUP = "区社区建设领导小组"

STREETS = [
    "宜城路街道办事处",
    "新河路街道办事处",
    "华中路街道办事处",
    "人民路街道办事处",
    "孝肃路街道办事处",
]

COLUMNS = [
    "id", "sent_on", "requester", "requester_level", "name", "category", "community_role",
    "basis", "work_plan", "requirements", "period.start", "period.end", "funding.amount",
    "funding.per", "authorization.content", "authorization.object", "authorization.powers",
    "authorization.until", "approval.status", "approval.by", "approval.date",
]

rows = []


def day(month, d):
    return dt.date(2020, month, d)


def task(sent, requester, name, category, level="district_department", role="assist", **more):
    row = {
        "sent_on": sent.isoformat(),
        "requester": requester,
        "requester_level": level,
        "name": name,
        "category": category,
        "community_role": role,
    }
    row.update(more)
    rows.append(row)


def approved(start, end, amount, per, by=GROUP, date=None, content="", obj="", powers=""):
    """The fields of an application that went through 申请、审核、进入 (Y4) with its fee (Y5)."""
    fields = {
        "work_plan": True,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "approval": {
            "status": "approved",
            "by": by,
            "date": (date or start - dt.timedelta(days=10)).isoformat(),
        },
    }
    if amount is not None:
        fields["funding"] = {"amount": amount, "per": per}
    if content:
        fields["authorization"] = {
            "content": content,
            "object": obj,
            "powers": powers,
            "until": end.isoformat(),
        }
    return fields


def some_day(month):
    return day(month, rng.randint(1, 28))


# ── On the duty list (履责清单, Y1): admitted as they are ─────────────────────────────
for month in range(1, 13):
    for _ in range(4):
        task(some_day(month), "区民政局", f"{month}月社会救助申请受理（低保、特困、临时救助）",
             "社会救助申请受理", basis=["社会救助暂行办法"],
             requirements="受理居民社会救助申请，初审后报街道")
    for _ in range(2):
        street = rng.choice(STREETS)
        task(some_day(month), street, f"{month}月低保对象动态复核材料收集", "社会救助申请受理",
             level="street", basis=["社会救助暂行办法", "安徽省最低生活保障办法"])
for quarter in range(4):
    for _ in range(4):
        task(some_day(quarter * 3 + 2), "区退役军人事务局",
             f"第{quarter + 1}季度优抚对象信息核对", "优抚对象信息核对",
             basis=["军人抚恤优待条例"], requirements="核对辖区优抚对象基本信息、待遇发放情况")
for month in (10, 11, 12):
    for _ in range(5):
        task(some_day(month), "区民政局", "社区居民委员会换届选举筹备", "居民委员会换届选举",
             basis=["中华人民共和国城市居民委员会组织法"],
             requirements="选民登记、候选人提名前期准备")

# ── On the admitted list (准入清单, Y1) ─────────────────────────────────────────────
for month in range(1, 13):
    for _ in range(3):
        task(some_day(month), "区民政局", f"{month}月社区养老服务站运营情况报送",
             "社区养老服务站运营", basis=["安庆市居家和社区养老服务改革试点方案"])
    for _ in range(5):
        street = rng.choice(STREETS)
        task(some_day(month), street, f"{month}月垃圾分类入户宣传", "垃圾分类入户宣传",
             level="street", basis=["安庆市生活垃圾分类工作实施方案"],
             requirements="入户发放宣传册，指导居民分类投放")
    for _ in range(2):
        task(some_day(month), "区城管局", f"{month}月垃圾分类桶边督导宣传",
             "垃圾分类入户宣传", basis=["安庆市生活垃圾分类工作实施方案"])

# ── Outside the lists, admitted through approval with funding (Y4, Y5) ──────────────
# Monthly subsidies: food-safety assistance, population monitoring, ethnic/religious liaison.
food = approved(day(1, 1), day(12, 31), 300, "month", date=dt.date(2019, 12, 20),
                content="食品安全信息报告、宣传", obj="辖区餐饮单位和食品经营户", powers="巡查、报告")
for month in range(1, 13):
    for _ in range(2):
        task(some_day(month), "区市场监管局", f"{month}月食品安全协管巡查", "食品安全协管",
             basis=["中华人民共和国食品安全法", "安庆市食品安全协管员管理办法"],
             requirements='每月巡查辖区餐饮单位, 填报"食品安全协管巡查表"', **food)
population = approved(day(1, 1), day(12, 31), 200, "month", date=dt.date(2019, 12, 20),
                      content="人口和计划生育信息采集", obj="辖区常住人口", powers="入户登记")
for month in range(1, 13):
    for _ in range(2):
        task(some_day(month), "区卫健委", f"{month}月人口监测信息报送", "人口监测",
             basis=["安徽省人口与计划生育条例"], requirements="每月采集出生、死亡、迁移信息", **population)
liaison = approved(day(1, 1), day(12, 31), 150, "month", date=dt.date(2019, 12, 20),
                   content="民族宗教信息收集", obj="辖区宗教活动场所、少数民族居民", powers="走访、报告")
for month in (1, 4, 7, 10):
    for _ in range(3):
        task(some_day(month), "区委统战部", "民宗信息联络员季度走访", "民宗信息联络",
             basis=["宗教事务条例"], requirements="每季度走访并报送民族宗教信息", **liaison)
# A short-term admission (Y5): the enterprise survey, 2020-05-01 to 2020-06-30, 3000 yuan.
survey = approved(day(5, 1), day(6, 30), 3000, "once", date=day(4, 20),
                  content="企业信息采集", obj="辖区企业", powers="入企走访")
for d in (day(5, 6), day(5, 8), day(5, 12), day(5, 20), day(6, 2), day(6, 15)):
    task(d, "区经信局", "辖区企业摸底调查", "企业摸底", basis=["安庆市经济普查工作方案"],
         requirements="走访辖区企业，填报摸底表", **survey)
# The seventh national census: admitted for its period with a one-off fund.
census = approved(day(10, 11), day(12, 10), 800, "once", date=day(9, 25),
                  content="人口普查入户登记", obj="辖区住户", powers="入户登记")
for _ in range(10):
    task(day(rng.randint(10, 11), rng.randint(11, 28)), "区统计局", "第七次全国人口普查入户登记",
         "人口普查入户登记", basis=["全国人口普查条例", "国务院关于开展第七次全国人口普查的通知"],
         requirements="配合普查员入户登记、复查", **census)
# Law enforcement with the community only assisting (Y3 allows it, through approval).
assist = approved(day(3, 1), day(11, 30), 2000, "once", date=day(2, 20),
                  content="违法建设线索报告", obj="辖区违法建设", powers="巡查、报告")
for month in (3, 5, 7, 9, 11):
    task(some_day(month), "区城管局", "违法建设巡查线索报告（社区协助）", "拆迁拆违",
         basis=["安庆市违法建设治理办法"], requirements="发现违法建设线索及时报告，不承担执法",
         **assist)

# ── What the audit must find ────────────────────────────────────────────────────────
# Y3: negative-list items, banned outright.
task(day(4, 15), "区商务局", "社区招商引资任务分解", "招商引资",
     requirements="每个社区年内引进项目不少于1个")
task(day(6, 9), "区财政局", "个体工商户税源排查", "协税护税",
     requirements="排查辖区个体工商户经营和纳税情况")
# Y3: law enforcement with the community as the responsible party.
task(day(8, 20), "区城管局", "背街小巷占道经营整治", "城市管理", role="responsible",
     requirements="社区负责劝离占道经营，每周上报整治台账")
# Y2, Y7: outside the lists and never approved.
task(day(9, 14), "区卫健委", "创卫迎检入户宣传和台账整理", "创卫迎检",
     basis=["安庆市巩固国家卫生城市工作方案"], requirements="整理创卫台账，迎接复审")
# Y7: sent first, approved three weeks later.
late = approved(day(7, 1), day(9, 30), 1500, "once", date=day(7, 28),
                content="安全隐患信息报告", obj="辖区沿街商铺", powers="巡查、报告")
task(day(7, 6), "区应急管理局", "汛期安全隐患排查", "安全隐患排查",
     basis=["安徽省安全生产条例"], requirements="排查沿街商铺安全隐患并报告", **late)
# Y5: approved, but the fee did not follow the task.
unfunded = approved(day(6, 1), day(8, 31), None, None, date=day(5, 25),
                    content="就业信息采集", obj="辖区灵活就业人员", powers="入户登记")
task(day(6, 3), "区人社局", "灵活就业人员信息采集", "灵活就业人员信息采集",
     basis=["安徽省就业促进条例"], requirements="入户采集灵活就业人员信息", **unfunded)
# Y5: the short-term admission had lapsed when this was sent.
task(day(8, 17), "区经信局", "辖区企业摸底调查（补充）", "企业摸底", basis=["安庆市经济普查工作方案"],
     requirements="补充走访新设立企业", **survey)
# Y4: approved by the street itself, not by the leading group.
own = approved(day(5, 1), day(7, 31), 500, "once", by="孝肃路街道党工委", date=day(4, 28),
               content="文明创建调查", obj="辖区居民", powers="入户调查")
task(day(5, 11), "孝肃路街道办事处", "文明创建入户满意度调查", "文明创建入户调查", level="street",
     basis=["安庆市全国文明城市创建工作方案"], requirements="入户发放满意度调查问卷", **own)

rows.sort(key=lambda r: (r["sent_on"], r["requester"], r["name"]))
for i, row in enumerate(rows, 1):
    row["id"] = f"YJ-2020-{i:04d}"

FIELD_ORDER = ["id", "sent_on", "requester", "requester_level", "name", "category",
               "community_role", "basis", "work_plan", "requirements", "period", "funding",
               "authorization", "approval"]

with open(os.path.join(HERE, "log.jsonl"), "w", encoding="utf-8", newline="\n") as f:
    for row in rows:
        ordered = {k: row[k] for k in FIELD_ORDER if k in row}
        f.write(json.dumps(ordered, ensure_ascii=False, separators=(",", ":")) + "\n")


def cell(row, column):
    value = row
    for part in column.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


with open(os.path.join(HERE, "log.csv"), "w", encoding="utf-8", newline="") as f:
    out = csv.writer(f, lineterminator="\n")
    out.writerow(COLUMNS)
    for row in rows:
        out.writerow([cell(row, c) for c in COLUMNS])

print(f"{len(rows)} rows")
