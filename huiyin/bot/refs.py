"""The bot's matcher as each process keeps it (``core.refcache``): made from the published FAQs
(``kb_faq``), their categories and the synonym groups, rebuilt when one of them changes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.bot.matcher import Faq, Matcher, utility_of
from huiyin.core.refcache import Snapshot, refs
from huiyin.knowledge.models import KbCategory, KbFaq, KbSynonym


def _load(session: Session) -> Matcher:
    cats = {c.id: c for c in session.scalars(select(KbCategory))}

    def top(category_id: int) -> KbCategory | None:
        c = cats.get(category_id)
        while c is not None and c.parent_id is not None and c.parent_id in cats:
            c = cats[c.parent_id]
        return c

    faqs = []
    for f in session.scalars(select(KbFaq).where(KbFaq.visibility == "public").order_by(KbFaq.article_id)):
        root = top(f.category_id)
        leaf = cats.get(f.category_id)
        faqs.append(
            Faq(
                article_id=f.article_id,
                title=f.title,
                answer=f.answer,
                questions=tuple(f.questions),
                key=(f.extra or {}).get("key"),
                utility=utility_of(root.key or root.name) if root else None,
                category=leaf.key or leaf.name if leaf else None,
            )
        )
    groups = [list(w) for (w,) in session.execute(select(KbSynonym.words).order_by(KbSynonym.id))]
    return Matcher(faqs, groups)


MATCHER = Snapshot("bot_matcher", _load, frozenset({"kb_faq", "kb_synonyms", "kb_categories"}))


def matcher(session: Session) -> Matcher:
    return refs(session, MATCHER)
