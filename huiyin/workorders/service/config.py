"""The order's reference data that supervisors and admins keep: categories (the tree, safety scripts,
default grades) and dispatch rules (category + area → unit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.errors import Invalid, NotFound
from huiyin.org.service import check_area_ref, check_unit_ref
from huiyin.workorders.models import Category, DispatchRule
from huiyin.workorders.service.loop import get_category_by_code


def list_categories(session: Session, order_type: str | None = None) -> list[Category]:
    stmt = select(Category).order_by(Category.type, Category.sort, Category.code)
    if order_type:
        stmt = stmt.where(Category.type == order_type)
    return list(session.scalars(stmt))


def check_new_category(session: Session, data: dict[str, Any]) -> None:
    """The code is free (422), the parent exists under the same type (422)."""
    if get_category_by_code(session, data["code"]) is not None:
        raise Invalid(
            f"category code {data['code']!r} is taken", code="orders.category_code_taken", category=data["code"]
        )
    parent_id = data.get("parent_id")
    if parent_id is not None:
        parent = session.get(Category, parent_id)
        if parent is None or parent.type != data["type"]:
            raise Invalid(
                f"parent category {parent_id} does not exist under type {data['type']}",
                code="orders.no_parent_category",
            )


def do_create_category(session: Session, data: dict[str, Any]) -> Category:
    cat = Category(**data)
    session.add(cat)
    session.flush()
    return cat


def get_category_or_404(session: Session, category_id: int) -> Category:
    cat = session.get(Category, category_id)
    if cat is None:
        raise NotFound(f"category {category_id} does not exist", code="orders.no_category")
    return cat


def do_update_category(session: Session, cat: Category, changes: dict[str, Any]) -> Category:
    """Changes the given fields; a null clears only the safety script (the other fields keep their value)."""
    for key, value in changes.items():
        if value is not None or key == "safety_script":
            setattr(cat, key, value)
    session.flush()
    return cat


def list_rules(session: Session) -> list[DispatchRule]:
    return list(session.scalars(select(DispatchRule).order_by(DispatchRule.id)))


def check_rule_refs(session: Session, category_id: int | None, area_id: int | None, unit_id: int | None) -> None:
    """Each named category, area and unit exists (422)."""
    if category_id is not None and session.get(Category, category_id) is None:
        raise Invalid(f"category {category_id} does not exist", code="orders.no_category")
    if area_id is not None:
        check_area_ref(session, area_id)
    if unit_id is not None:
        check_unit_ref(session, unit_id)


def do_create_rule(session: Session, data: dict[str, Any]) -> DispatchRule:
    rule = DispatchRule(**data)
    session.add(rule)
    session.flush()
    return rule


def get_rule(session: Session, rule_id: int) -> DispatchRule:
    rule = session.get(DispatchRule, rule_id)
    if rule is None:
        raise NotFound(f"dispatch rule {rule_id} does not exist", code="orders.no_dispatch_rule")
    return rule


def do_update_rule(session: Session, rule: DispatchRule, changes: dict[str, Any]) -> DispatchRule:
    """Changes the given fields; a null clears only the unit ("the area's own unit")."""
    for key, value in changes.items():
        if value is not None or key == "unit_id":
            setattr(rule, key, value)
    session.flush()
    return rule


def do_delete_rule(session: Session, rule: DispatchRule) -> None:
    session.delete(rule)
    session.flush()
