"""QA forms (质检评分表): versioned templates of sections and items.

An item has its maximum points and the deduction steps an inspector may take (扣分档次: 2, 5 or 10 of a
10-point item), or is a red-line item (红线: 服务禁语, 泄露客户信息, 挂断客户电话…) with no points, which fails
the whole contact (score 0) when violated. An item may name the automatic flags that bear on it
(``flags``: the workbench shows them beside it). The items' maximum points add up to 100.

There is a form per contact kind (an inbound call, an outbound callback, a WeChat or web conversation);
``DEFAULT_FORMS`` are the first versions, seeded when none exists. Saving a form makes the next version of its
code, which new evaluations use; evaluations keep the version they were scored on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from huiyin.errors import Invalid, NotFound
from huiyin.quality.models import QaForm

CONTACT_KINDS = ("inbound_call", "outbound_call", "chat")
FLAG_KINDS = (
    "fast_speech",
    "slow_speech",
    "loudness_jump",
    "monotone",
    "dead_air",
    "talk_over",
    "forbidden",
    "shirking",
    "missing_opening",
    "missing_closing",
    "slow_response",  # a conversation's first response or a wait for an agent's reply too long
)


def _item(key: str, title: str, points: int, steps: Sequence[int], *flags: str) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "max_points": points,
        "steps": list(steps),
        "red_line": False,
        "flags": list(flags),
    }


def _red(key: str, title: str, *flags: str) -> dict[str, Any]:
    return {"key": key, "title": title, "max_points": 0, "steps": [], "red_line": True, "flags": list(flags)}


_VOICE_FLAGS = ("fast_speech", "slow_speech", "loudness_jump", "monotone")
_MANNER = {
    "title": "沟通技巧",
    "items": [
        _item("speech", "语速、语调、音量适中", 10, (2, 5, 10), *_VOICE_FLAGS),
        _item("listening", "耐心倾听，不抢话", 5, (2, 5), "talk_over"),
        _item("silence", "无长时间静音，等待前说明", 5, (2, 5), "dead_air"),
        _item("language", "用语规范，表达清晰", 5, (2, 5)),
    ],
}
_RED_LINES = {
    "title": "红线",
    "items": [
        _red("forbidden", "使用服务禁语", "forbidden"),
        _red("leak", "泄露客户信息"),
        _red("hang_up", "主动挂断客户电话"),
        _red("quarrel", "与客户争吵"),
    ],
}
DEFAULT_FORMS: tuple[dict[str, Any], ...] = (
    {
        "code": "inbound_call",
        "name": "呼入电话质检评分表",
        "contact_kind": "inbound_call",
        "sections": [
            {
                "title": "服务规范",
                "items": [
                    _item("opening", "规范开场白（问候、报工号）", 10, (2, 5, 10), "missing_opening"),
                    _item("closing", "规范结束语", 5, (2, 5), "missing_closing"),
                    _item("hold", "等待、转接前征询并致谢", 5, (2, 5)),
                    _item("attitude", "服务态度热情耐心，不推诿", 10, (2, 5, 10), "shirking"),
                ],
            },
            _MANNER,
            {
                "title": "业务处理",
                "items": [
                    _item("answer", "业务解答准确", 15, (5, 10, 15)),
                    _item("registration", "工单受理准确（分类、地址、联系方式）", 15, (5, 10, 15)),
                    _item("process", "报修、事故报警按流程及时转派", 10, (5, 10)),
                    _item("verify", "核实客户信息", 5, (2, 5)),
                ],
            },
            _RED_LINES,
        ],
    },
    {
        "code": "outbound_call",
        "name": "外呼回访质检评分表",
        "contact_kind": "outbound_call",
        "sections": [
            {
                "title": "服务规范",
                "items": [
                    _item("opening", "规范开场白（问候、表明身份与来意）", 10, (2, 5, 10), "missing_opening"),
                    _item("closing", "规范结束语", 5, (2, 5), "missing_closing"),
                    _item("attitude", "服务态度热情耐心", 10, (2, 5, 10), "shirking"),
                ],
            },
            _MANNER,
            {
                "title": "回访内容",
                "items": [
                    _item("result", "核实处理结果", 20, (5, 10, 20)),
                    _item("satisfaction", "规范询问满意度，不诱导", 15, (5, 10, 15)),
                    _item("record", "回访记录准确完整", 15, (5, 10, 15)),
                ],
            },
            _RED_LINES,
        ],
    },
    {
        "code": "chat",
        "name": "微信及网页会话质检评分表",
        "contact_kind": "chat",
        "sections": [
            {
                "title": "服务规范",
                "items": [
                    _item("response", "响应及时（首次响应、回复间隔）", 15, (5, 10, 15), "slow_response"),
                    _item("opening", "规范问候与结束语", 10, (2, 5, 10), "missing_opening", "missing_closing"),
                    _item("attitude", "服务态度热情耐心，不推诿", 10, (2, 5, 10), "shirking"),
                    _item("writing", "文字规范，无错别字", 10, (2, 5, 10)),
                ],
            },
            {
                "title": "业务处理",
                "items": [
                    _item("answer", "业务解答准确", 25, (5, 10, 25)),
                    _item("registration", "工单受理准确", 20, (5, 10, 20)),
                    _item("verify", "核实客户信息", 10, (5, 10)),
                ],
            },
            _RED_LINES,
        ],
    },
)


def items_of(form: QaForm) -> list[dict[str, Any]]:
    return [item for section in form.sections for item in section["items"]]


def check_sections(sections: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The sections as stored, or 422 naming what is wrong."""
    if not sections:
        raise Invalid("sections: a form needs at least one section", code="quality.form_no_sections", field="sections")
    keys: set[str] = set()
    total, scored = 0, 0
    out = []
    for s_no, section in enumerate(sections):
        items = []
        if not section.get("items"):
            raise Invalid(
                f"sections[{s_no}]: a section needs at least one item",
                code="quality.section_no_items",
                field="sections",
                section=str(section.get("title") or ""),
            )
        for i_no, item in enumerate(section["items"]):
            where = f"sections[{s_no}].items[{i_no}]"
            key = str(item["key"])
            if key in keys:
                raise Invalid(
                    f"{where}.key: “{key}” is used twice", code="quality.item_key_twice", field="sections", key=key
                )
            keys.add(key)
            flags = list(item.get("flags") or [])
            unknown = [f for f in flags if f not in FLAG_KINDS]
            if unknown:
                raise Invalid(
                    f"{where}.flags: {', '.join(unknown)} is not a flag (one of {', '.join(FLAG_KINDS)})",
                    code="quality.unknown_flag",
                    item=str(item["title"]),
                )
            points, steps, red = (
                int(item.get("max_points") or 0),
                sorted(set(item.get("steps") or [])),
                bool(item.get("red_line")),
            )
            if red and (points or steps):
                raise Invalid(
                    f"{where}: a red-line item has no points and no steps; it fails the contact",
                    code="quality.red_line_points",
                    item=str(item["title"]),
                )
            if not red:
                if points <= 0:
                    raise Invalid(
                        f"{where}.max_points: more than 0",
                        code="quality.item_points",
                        field="sections",
                        item=str(item["title"]),
                    )
                if not steps or any(not 0 < s <= points for s in steps):
                    raise Invalid(
                        f"{where}.steps: deductions between 1 and max_points ({points})",
                        code="quality.item_steps",
                        field="sections",
                        item=str(item["title"]),
                        points=points,
                    )
                scored += 1
            total += points
            items.append(
                {
                    "key": key,
                    "title": str(item["title"]),
                    "max_points": points,
                    "steps": steps,
                    "red_line": red,
                    "flags": flags,
                }
            )
        out.append({"title": str(section["title"]), "items": items})
    if not scored:
        raise Invalid(
            "sections: a form needs at least one item that is not a red line",
            code="quality.form_no_scored_items",
            field="sections",
        )
    if total != 100:
        raise Invalid(
            f"the items' max_points must add up to 100 (they add up to {total})",
            code="quality.form_total",
            field="sections",
            total=total,
        )
    return out


def ensure_forms(session: Session, at: datetime) -> None:
    if session.scalar(select(func.count()).select_from(QaForm)):
        return
    for f in DEFAULT_FORMS:
        session.add(QaForm(version=1, current=True, created_at=at, created_by=None, **f))
    session.flush()


def forms(session: Session, at: datetime, *, every_version: bool = False) -> list[QaForm]:
    ensure_forms(session, at)
    stmt = select(QaForm).order_by(QaForm.code, QaForm.version.desc())
    if not every_version:
        stmt = stmt.where(QaForm.current.is_(True))
    return list(session.scalars(stmt))


def get_form(session: Session, form_id: int) -> QaForm:
    form = session.get(QaForm, form_id)
    if form is None:
        raise NotFound(f"QA form {form_id} not found", code="quality.no_such_form")
    return form


def current_form(session: Session, contact_kind: str, at: datetime) -> QaForm:
    ensure_forms(session, at)
    form = session.scalar(
        select(QaForm).where(QaForm.contact_kind == contact_kind, QaForm.current.is_(True)).order_by(QaForm.id.desc())
    )
    if form is None:
        raise NotFound(f"no QA form for {contact_kind}", code="quality.no_form_for_kind")
    return form


def do_save_form(
    session: Session, code: str, name: str, contact_kind: str, sections: list[dict[str, Any]], by: int, at: datetime
) -> QaForm:
    """The next version of ``code`` (the first if new), which becomes the current one of its code."""
    ensure_forms(session, at)
    latest = session.scalar(select(func.max(QaForm.version)).where(QaForm.code == code)) or 0
    session.execute(update(QaForm).where(QaForm.code == code).values(current=False))
    form = QaForm(
        code=code,
        version=latest + 1,
        name=name,
        contact_kind=contact_kind,
        sections=sections,
        current=True,
        created_at=at,
        created_by=by,
    )
    session.add(form)
    session.flush()
    return form
