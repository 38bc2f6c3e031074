"""The work order's reference data as the process keeps it (``core.refcache``): the categories and the
active dispatch rules, frozen, with the questions registration asks of them answered in memory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.core.refcache import Snapshot, refs
from huiyin.workorders.models import Category, DispatchRule


@dataclass(frozen=True)
class CategoryRef:
    id: int
    code: str
    name: str
    name_en: str
    type: str
    parent_id: int | None
    default_grade: str
    safety_script: str | None
    is_active: bool


@dataclass(frozen=True)
class RuleRef:
    id: int
    category_id: int | None
    area_id: int | None
    unit_id: int | None
    priority: int


@dataclass(frozen=True)
class RuleMatch:
    """Where a dispatch rule sends an order: the unit, and the rule that said so."""

    unit_id: int
    rule_id: int


@dataclass(frozen=True)
class Catalog:
    by_id: dict[int, CategoryRef]
    by_code: dict[str, CategoryRef]
    rules: tuple[RuleRef, ...]  # the active ones

    def safety_script(self, category: CategoryRef) -> str | None:
        """The category's safety script, or its nearest ancestor's."""
        node: CategoryRef | None = category
        while node is not None:
            if node.safety_script:
                return node.safety_script
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        return None

    def dispatch_unit(self, category: CategoryRef, area_id: int | None, area_unit_id: int | None) -> RuleMatch | None:
        """The unit the most specific active rule names (a rule without unit means the area's owner)."""
        cat_ids = {category.id, category.parent_id} - {None}

        def specificity(r: RuleRef) -> tuple[int, int, int]:
            cat_score = 2 if r.category_id == category.id else (1 if r.category_id is not None else 0)
            return (int(r.area_id is not None) + cat_score, cat_score, -r.priority)

        found = [
            r
            for r in self.rules
            if (r.category_id is None or r.category_id in cat_ids) and (r.area_id is None or r.area_id == area_id)
        ]
        for rule in sorted(found, key=specificity, reverse=True):
            if rule.unit_id is not None:
                return RuleMatch(rule.unit_id, rule.id)
            if area_unit_id is not None:
                return RuleMatch(area_unit_id, rule.id)
        return None


def _load(session: Session) -> Catalog:
    cats = [
        CategoryRef(
            id=c.id,
            code=c.code,
            name=c.name,
            name_en=c.name_en,
            type=c.type,
            parent_id=c.parent_id,
            default_grade=c.default_grade,
            safety_script=c.safety_script,
            is_active=c.is_active,
        )
        for c in session.scalars(select(Category))
    ]
    rules = session.execute(
        select(DispatchRule.id, DispatchRule.category_id, DispatchRule.area_id, DispatchRule.unit_id)
        .add_columns(DispatchRule.priority)
        .where(DispatchRule.is_active.is_(True))
        .order_by(DispatchRule.id)
    ).all()
    return Catalog({c.id: c for c in cats}, {c.code: c for c in cats}, tuple(RuleRef(*r) for r in rules))


CATALOG = Snapshot("workorders.catalog", _load, frozenset({"categories", "dispatch_rules"}))


def catalog(session: Session) -> Catalog:
    return refs(session, CATALOG)
