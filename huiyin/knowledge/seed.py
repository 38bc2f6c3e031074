"""The demo centre's knowledge base (``knowledge/data/faq.json``): its category tree, its synonym groups and
about a hundred FAQs a gas, power and water service centre is asked, published and public. Loaded by the demo
and by ``huiyin kb load-faq``; loading again adds only what is missing (by key)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.clock import now
from huiyin.knowledge import search as kb_search
from huiyin.knowledge.models import KbArticle, KbCategory, KbSynonym, KbVersion, KbVersionEvent
from huiyin.knowledge.service import do_reindex
from huiyin.knowledge.states import ArticleState, VersionState

FAQ_FILE = Path(__file__).parent / "data" / "faq.json"


def faq_data(path: Path = FAQ_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def do_load_faq(session: Session, data: dict[str, Any] | None = None, *, at: datetime | None = None) -> int:
    """Creates what is missing of the seed: categories, synonym groups (when there are none yet), and the FAQs
    as published public articles (version 1, published by the system). Returns how many FAQs it added."""
    data = data or faq_data()
    at = at or now()
    cats = {c.key: c for c in session.scalars(select(KbCategory).where(KbCategory.key.is_not(None)))}
    for i, c in enumerate(data["categories"]):
        if c["key"] in cats:
            continue
        parent = cats[c["parent"]].id if c.get("parent") else None
        row = KbCategory(key=c["key"], name=c["name"], parent_id=parent, position=i)
        session.add(row)
        session.flush()
        cats[c["key"]] = row
    if session.scalars(select(KbSynonym.id).limit(1)).first() is None:
        for g in data.get("synonyms", []):
            session.add(KbSynonym(words=list(g), updated_at=at))
        session.flush()
    have = set(session.scalars(select(KbArticle.key).where(KbArticle.key.is_not(None))))
    added = 0
    for f in data["faqs"]:
        if f["key"] in have:
            continue
        a = KbArticle(
            key=f["key"],
            kind="faq",
            category_id=cats[f["category"]].id,
            visibility="public",
            state=ArticleState.published.value,
            title=f["title"],
            created_at=at,
            updated_at=at,
        )
        session.add(a)
        session.flush()
        v = KbVersion(
            article_id=a.id,
            number=1,
            state=VersionState.published.value,
            title=f["title"],
            body=f["answer"],
            variants=list(f["variants"]),
            note="初始知识库",
            created_at=at,
            submitted_at=at,
            reviewed_at=at,
            published_at=at,
        )
        session.add(v)
        session.flush()
        a.live_version_id = v.id
        session.add(
            KbVersionEvent(
                article_id=a.id,
                version_id=v.id,
                action="approve",
                from_state=None,
                to_state=v.state,
                at=at,
                note="初始知识库",
            )
        )
        do_reindex(session, a)
        added += 1
    kb_search.synonyms(session)
    return added
