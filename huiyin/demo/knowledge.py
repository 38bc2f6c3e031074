"""The demo centre's knowledge base: the seeded FAQ (public, about a hundred), the agents' own scripts (话术)
and procedures (internal), one article waiting for review and one withdrawn, so that every page has something
real to show."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.auth.models import User
from huiyin.clock import now
from huiyin.knowledge import seed, service
from huiyin.knowledge.models import KbCategory
from huiyin.knowledge.states import KbAction

INTERNAL = (
    (
        "script",
        "gas-safety",
        "燃气泄漏来电应答话术",
        "1. 先安抚：“请您不要慌，我马上为您安排抢修。”\n2. 立即告知：关闭燃气总阀，打开门窗通风，不要开关任何电器"
        "、不要使用明火、不要在室内打电话。\n"
        "3. 核实地址、联系电话、泄漏部位（表前/表后/灶具），按紧急工单登记，抢修班组30分钟内到场。\n4. 结束语：“请"
        "您到室外安全地点等候，抢修人员会与您联系。”",
    ),
    (
        "procedure",
        "gas-safety",
        "紧急漏气工单处理流程",
        "受理：坐席按紧急类登记，工单自动派往片区抢修班组；接单时限5分钟，到场时限30分钟。\n升级：超时未接单依次提"
        "醒班组长、值班经理、中心领导。\n"
        "回访：处理完毕24小时内电话回访，确认隐患已消除。",
    ),
    (
        "script",
        "gas-billing",
        "欠费停气客户安抚话术",
        "“非常理解您的心情。您缴清欠费后，物联网表一般在2小时内远程开阀；IC卡表请到营业厅或自助终端写卡后插表。给"
        "您带来不便，请您谅解。”",
    ),
    (
        "policy",
        "service-complaint",
        "投诉处理时限规定",
        "一般投诉5个工作日内办结，重大投诉24小时内响应、3个工作日内办结；办结后由中心回访，客户不满意的重新处理。",
    ),
    (
        "procedure",
        "power-outage",
        "计划停电信息发布流程",
        "计划停电须提前7天在公众号、网站和短信发布公告；停电前24小时由坐席对重要客户逐户电话提醒。",
    ),
)


def build_knowledge(s: Session, editor: User, reviewer: User) -> str:
    """The FAQ published at seed time, the internal articles written by ``editor`` and published by
    ``reviewer``, one more waiting for review, one withdrawn."""
    added = seed.do_load_faq(s, at=now() - timedelta(days=60))
    cats = {c.key: c.id for c in s.scalars(select(KbCategory).where(KbCategory.key.is_not(None)))}
    for kind, cat, title, body in INTERNAL:
        a = service.do_create_article(s, editor, {"kind": kind, "category_id": cats[cat], "title": title, "body": body})
        service.do_transition(s, editor, a, KbAction.submit)
        service.do_transition(s, reviewer, a, KbAction.approve, "内容准确，同意发布")
    waiting = service.do_create_article(
        s,
        editor,
        {
            "kind": "script",
            "category_id": cats["gas-safety"],
            "title": "一氧化碳中毒来电应答话术",
            "body": "立即开窗通风，将中毒人员转移到空气新鲜处，拨打120；同时登记紧急工单，安排人员上门检查热水器烟道。",
        },
    )
    service.do_transition(s, editor, waiting, KbAction.submit, "新增话术，请审核")
    old = service.do_create_article(
        s,
        editor,
        {
            "kind": "policy",
            "category_id": cats["gas-price"],
            "title": "2025年居民阶梯气价（已废止）",
            "body": "第一档2.40元/立方米，第二档2.88元/立方米，第三档3.60元/立方米。",
        },
    )
    service.do_transition(s, editor, old, KbAction.submit)
    service.do_transition(s, reviewer, old, KbAction.approve)
    service.do_archive(s, reviewer, old, "2026年起执行新价格")
    return f"knowledge base: {added} FAQs, {len(INTERNAL) + 2} internal articles"
