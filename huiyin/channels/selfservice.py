"""The self-service site (服务型网站) for customers, mobile first, no app: sign in by mobile number and SMS
code; report a repair with photos and the place; follow one's orders with the timeline in plain words; see the
outages in one's area; chat with the centre (the bot first); rate a finished order.

A report is registered as a work order by the site's own service user (``web_self_service``, 网上服务大厅), on
the web channel, for the signed-in number and, when the number is a customer's, their account and address.
A gas smell is never a form: the page sends the customer to the emergency line first (and registers it as an
emergency all the same, dispatched at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from huiyin.auth.service import do_ensure_service_user
from huiyin.channels.models import ChannelContact, SelfSession
from huiyin.channels.service import do_contact
from huiyin.core.actor import Actor
from huiyin.customers.service import customer_facts
from huiyin.errors import Conflict, Invalid, NotFound
from huiyin.org.refs import org
from huiyin.outages.refs import live_outages
from huiyin.outages.service import area_names
from huiyin.outages.service import texts as outage_texts
from huiyin.outages.states import UTILITY_NAMES_ZH
from huiyin.settings import Settings
from huiyin.surveys import service as surveys
from huiyin.workorders import service as orders

SERVICE_USER = "web_self_service"

REPORTS: dict[str, tuple[str, str, str]] = {
    # what the customer picks: (category, type, what the page calls it)
    "gas-leak": ("EM-GAS-LEAK", "emergency", "闻到燃气味/漏气"),
    "no-gas": ("RP-GAS-NOGAS", "repair", "没气/气压低"),
    "gas-meter": ("RP-GAS-METER", "repair", "燃气表故障"),
    "gas-appliance": ("RP-GAS-APPLIANCE", "repair", "灶具/热水器打不着火"),
    "gas-pipe": ("RP-GAS-PIPE", "repair", "户内管道问题"),
    "no-power": ("RP-ELEC-OUTAGE", "repair", "家里停电"),
    "power-meter": ("RP-ELEC-METER", "repair", "电表故障"),
    "no-water": ("RP-WATER-NOWATER", "repair", "停水/水压低"),
}

STEP_WORDS = {
    "register": "您的诉求已受理",
    "dispatch": "已派至{unit}处理",
    "reassign": "已转派至{unit}处理",
    "accept": "处理人员已接单",
    "start": "处理人员正在处理",
    "suspend": "处理暂停：{note}",
    "resume": "恢复处理",
    "resolve": "已处理完毕：{note}",
    "callback": "已电话回访",
    "close": "已办结",
    "reopen": "重新处理：{note}",
    "merge": "与区域停供事件合并处理",
    "unmerge": "单独处理",
    "urge": "已催促处理单位加快处理",
    "supervise": "中心已督办",
    "return": "退回重新派单",
}
"""The order's steps in the words a customer understands; the rest (deadline warnings, internal notes) are
not shown."""

STATE_WORDS = {
    "registered": "已受理",
    "dispatched": "已派单",
    "accepted": "处理中",
    "in_progress": "处理中",
    "suspended": "暂停处理",
    "merged": "处理中",
    "resolved": "已处理，待回访",
    "closed": "已办结",
}


@dataclass(frozen=True)
class Customer:
    session: SelfSession
    contact: ChannelContact

    @property
    def phone(self) -> str:
        return self.session.phone

    @property
    def customer_id(self) -> int | None:
        return self.session.customer_id


def do_sign_in(session: Session, phone: str) -> tuple[ChannelContact, int | None]:
    """The web contact of this number, bound to its customer when the number is one's."""
    contact = do_contact(session, "web", phone, 0, phone=phone)
    return contact, contact.customer_id


def service_user(session: Session) -> Actor:
    user = do_ensure_service_user(session, SERVICE_USER, "网上服务大厅", ["agent"])
    return user


def my_orders(session: Session, who: Customer) -> list[dict[str, Any]]:
    return [_order_row(o) for o in orders.orders_of_customer(session, customer_id=who.customer_id, phone=who.phone)]


def _order_row(o: Any) -> dict[str, Any]:
    return {
        "id": o.id,
        "number": o.number,
        "type": o.type,
        "state": o.state,
        "state_words": STATE_WORDS.get(o.state, o.state),
        "description": o.description,
        "address": o.address,
        "created_at": o.created_at,
        "closed_at": o.closed_at,
    }


def my_order(session: Session, who: Customer, order_id: int, tz: str) -> dict[str, Any]:
    o = orders.order_of_customer(session, order_id, customer_id=who.customer_id, phone=who.phone)
    if o is None:
        raise NotFound(f"no order {order_id} of yours", code="self.no_such_order")
    units = org(session).units
    steps = []
    for e in orders.timeline(session, o):
        words = STEP_WORDS.get(e.action)
        if words is None:
            continue
        unit_id = e.unit_id or o.unit_id
        unit = units.get(unit_id) if unit_id else None
        steps.append(
            {
                "at": e.at,
                "action": e.action,
                "text": words.format(unit=unit.name if unit else "处理单位", note=(e.note or "").strip() or "—"),
            }
        )
    row = _order_row(o)
    row["steps"] = steps
    row["can_rate"] = o.state in ("resolved", "closed") and not _rated(session, o.id)
    return row


def _rated(session: Session, order_id: int) -> bool:
    contact = surveys.contact_of_key(session, f"order:{order_id}")
    return surveys.rating_of(session, contact, "web") is not None


def do_rate(
    session: Session, who: Customer, order_id: int, result: str, comment: str | None, settings: Settings, at: datetime
) -> None:
    o = orders.order_of_customer(session, order_id, customer_id=who.customer_id, phone=who.phone)
    if o is None:
        raise NotFound(f"no order {order_id} of yours", code="self.no_such_order")
    if o.state not in ("resolved", "closed"):
        raise Conflict("an order is rated once it is done", code="self.rate_when_done")
    contact = surveys.contact_of_key(session, f"order:{order_id}")
    _, created = surveys.do_rate(
        session,
        contact,
        channel="web",
        result=result,
        score=None,
        comment=comment,
        at=at,
        tz=settings.timezone,
        care_hours=settings.surveys.care_hours,
    )
    if not created:
        raise Conflict("you rated this order already", code="self.rated_already")


def my_outages(session: Session, who: Customer, tz: str) -> list[dict[str, Any]]:
    """The live outages of the customer's area (every live one when the number is no customer's)."""
    live = live_outages(session)
    area_id = None
    if who.customer_id:
        facts = customer_facts(session, who.customer_id)
        area_id = facts.area_id if facts else None
    chosen = live.in_area(area_id) if area_id is not None else live.outages
    out = []
    for o in chosen:
        t = outage_texts(session, o, o.area_ids, tz)
        out.append(
            {
                "id": o.id,
                "utility": o.utility,
                "what": UTILITY_NAMES_ZH.get(o.utility, "停供"),
                "state": o.state,
                "areas": area_names(session, o.area_ids),
                "starts_at": o.starts_at,
                "eta": o.eta,
                "text": t.announcement,
                "mine": area_id is not None,
            }
        )
    return out


def check_report(kind: str, description: str, address: str | None) -> tuple[str, str]:
    if kind not in REPORTS:
        raise Invalid(f"kind must be one of {', '.join(REPORTS)}", code="self.report_kind", field="kind")
    if not description.strip():
        raise Invalid("describe what happened", code="self.report_description", field="description")
    category, type_, _ = REPORTS[kind]
    return category, type_


def do_report(
    session: Session,
    who: Customer,
    kind: str,
    description: str,
    address: str | None,
    location: tuple[float, float] | None,
    settings: Settings,
) -> Any:
    """Registers the customer's report as a work order on the web channel (dispatched by the rules, an
    emergency at once)."""
    category, type_ = check_report(kind, description, address)
    facts = customer_facts(session, who.customer_id) if who.customer_id else None
    if not (address or (facts.address if facts else "")):
        raise Invalid("say where (the address)", code="self.report_address", field="address")
    where = f"（定位：{location[0]:.5f},{location[1]:.5f}）" if location else ""
    actor = service_user(session)
    data = {
        "type": type_,
        "category": category,
        "description": f"{description.strip()}{where}",
        "channel": "web",
        "contact_phone": who.phone,
        "customer_id": who.customer_id,
        "address": address or None,
    }
    plan = orders.check_register(session, actor, data)
    plan.extra["self_service"] = True
    order = orders.do_register(session, actor, plan, number_prefix=settings.order_number_prefix, tz=settings.timezone)
    session.flush()
    return order


def local(at: datetime | None, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M") if at else ""
