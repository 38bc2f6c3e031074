"""The knowledge base's rules: categories, articles and their versions (draft → review → published), validity,
visibility, attachments, synonyms; search for the agents, the customers and the bot, with the live outages
as generated articles.

Who may do what: every signed-in centre role reads the internal and public articles; customers (the
self-service site, the bot) only the public ones valid today. ``EDITORS`` write drafts, ``REVIEWERS``
publish what someone else wrote (四眼原则).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from huiyin.clock import now
from huiyin.core.actor import Actor
from huiyin.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from huiyin.knowledge import search as kb_search
from huiyin.knowledge.models import KbArticle, KbAttachment, KbCategory, KbFaq, KbSynonym, KbVersion, KbVersionEvent
from huiyin.knowledge.states import (
    EDITORS,
    KINDS,
    REVIEWERS,
    TRANSITIONS,
    VISIBILITIES,
    ArticleState,
    KbAction,
    VersionState,
)
from huiyin.outages.refs import live_outages
from huiyin.outages.service import area_names
from huiyin.outages.service import texts as outage_texts
from huiyin.outages.states import STATE_NAMES_ZH, UTILITY_NAMES_ZH

Audience = Literal["agent", "customer"]
OUTAGE_CATEGORY = "停供公告"

# ---------------------------------------------------------------- search


@dataclass(frozen=True)
class Found:
    id: int  # the article's id; an outage's generated article: the outage's id
    source: Literal["article", "outage"]
    kind: str
    title: str
    snippet: str
    score: float
    category_id: int | None
    visibility: str


def today(tz: str = "Asia/Shanghai") -> date:
    from zoneinfo import ZoneInfo

    return now().astimezone(ZoneInfo(tz)).date()


def find(
    session: Session,
    q: str,
    *,
    audience: Audience,
    limit: int = 10,
    category_ids: tuple[int, ...] | None = None,
    kinds: tuple[str, ...] | None = None,
    outages: bool = True,
    tz: str = "Asia/Shanghai",
) -> list[Found]:
    """The best articles for ``q``: the published ones the audience may see, valid today (agents also see the
    ones out of date, ranked after), and the live outages as generated articles."""
    query = kb_search.parse(session, q)
    if query.empty:
        return []
    on = today(tz)
    filters = kb_search.Filters(
        visibility=("public",) if audience == "customer" else ("internal", "public"),
        category_ids=category_ids,
        kinds=kinds,
        on=on if audience == "customer" else None,
    )
    hits = kb_search.search(session, query, filters, limit=limit)
    found: list[Found] = []
    if hits:
        ids = [h.article_id for h in hits]
        rows = {
            r.id: r
            for r in session.execute(
                select(
                    KbArticle.id,
                    KbArticle.kind,
                    KbArticle.title,
                    KbArticle.category_id,
                    KbArticle.visibility,
                    KbArticle.valid_from,
                    KbArticle.valid_to,
                    KbVersion.body,
                )
                .join(KbVersion, KbVersion.id == KbArticle.live_version_id)
                .where(KbArticle.id.in_(ids))
            )
        }
        for h in hits:
            r = rows.get(h.article_id)
            if r is None:
                continue
            stale = not _valid(r.valid_from, r.valid_to, on)
            found.append(
                Found(
                    r.id,
                    "article",
                    r.kind,
                    r.title,
                    snippet(r.body, h.matched),
                    h.score * (0.5 if stale else 1.0),
                    r.category_id,
                    r.visibility,
                )
            )
    if outages and (category_ids is None and (kinds is None or "outage" in kinds)):
        found.extend(_outage_hits(session, query, tz))
    found.sort(key=lambda f: (-f.score, f.source, f.id))
    return found[:limit]


def _valid(valid_from: date | None, valid_to: date | None, on: date) -> bool:
    return (valid_from is None or valid_from <= on) and (valid_to is None or valid_to >= on)


def outage_article(session: Session, outage_id: int, tz: str = "Asia/Shanghai") -> dict[str, Any]:
    """A live outage as an article: its title and the preset answer the agents give."""
    for o in live_outages(session).outages:
        if o.id == outage_id:
            t = outage_texts(session, o, o.area_ids, tz)
            what = UTILITY_NAMES_ZH.get(o.utility, "停供")
            title = f"{area_names(session, o.area_ids)}{what}（{STATE_NAMES_ZH.get(o.state, o.state)}）"  # type: ignore[call-overload]
            return {"id": o.id, "title": title, "body": t.preset, "announcement": t.announcement, "state": o.state}
    raise NotFound(f"no live outage {outage_id}", code="knowledge.no_live_outage", outage_id=outage_id)


def _outage_hits(session: Session, query: kb_search.Query, tz: str) -> list[Found]:
    out = []
    for o in live_outages(session).outages:
        art = outage_article(session, o.id, tz)
        hit = kb_search.score_text(session, query, art["title"], f"{art['body']} {o.cause} {o.scope}")
        if hit is not None:
            out.append(
                Found(
                    o.id, "outage", "outage", art["title"], snippet(art["body"], hit.matched), hit.score, None, "public"
                )
            )
    return out


def snippet(body: str, matched: tuple[str, ...], width: int = 80) -> str:
    """About ``width`` characters of ``body`` around the first matched word, each run of matched text marked
    once with 【】 (overlapping and adjacent words merged; plain text: the client never renders it as HTML)."""
    text = re.sub(r"\s+", " ", body).strip()
    lower = text.lower()
    first = min((i for i in (lower.find(w) for w in matched) if i >= 0), default=0)
    start = max(0, first - width // 4)
    piece = text[start : start + width]
    low = piece.lower()
    spans: list[list[int]] = []
    for w in (w for w in matched if len(w) > 1):
        i = low.find(w)
        while i >= 0:
            spans.append([i, i + len(w)])
            i = low.find(w, i + 1)
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out, at = [], 0
    for a, b in merged:
        out.append(piece[at:a] + "【" + piece[a:b] + "】")
        at = b
    out.append(piece[at:])
    return ("…" if start else "") + "".join(out) + ("…" if start + width < len(text) else "")


# ---------------------------------------------------------------- categories


def list_categories(session: Session) -> list[KbCategory]:
    return list(
        session.scalars(
            select(KbCategory).order_by(KbCategory.parent_id.is_not(None), KbCategory.position, KbCategory.id)
        )
    )


def check_editor(actor: Actor) -> None:
    if not actor.has(*EDITORS):
        raise Forbidden(
            "only the knowledge editors (质检, 主管, 经理, 管理员) write the knowledge base",
            code="knowledge.editor_role",
        )


def check_reviewer(actor: Actor) -> None:
    if not actor.has(*REVIEWERS):
        raise Forbidden(
            "only a supervisor, a manager or an admin reviews and publishes articles", code="knowledge.reviewer_role"
        )


def get_category(session: Session, category_id: int) -> KbCategory:
    c = session.get(KbCategory, category_id)
    if c is None:
        raise NotFound(
            f"no knowledge category {category_id}", code="knowledge.no_such_category", category_id=category_id
        )
    return c


def do_create_category(session: Session, actor: Actor, name: str, parent_id: int | None) -> KbCategory:
    check_editor(actor)
    if parent_id is not None:
        parent = get_category(session, parent_id)
        if parent.parent_id is not None:
            raise Invalid(
                "categories are two levels deep: a sub-category cannot hold another",
                code="knowledge.category_depth",
                field="parent_id",
            )
    position = session.execute(
        select(func.coalesce(func.max(KbCategory.position), -1) + 1).where(
            KbCategory.parent_id.is_(parent_id) if parent_id is None else KbCategory.parent_id == parent_id
        )
    ).scalar_one()
    c = KbCategory(name=name.strip(), parent_id=parent_id, position=position)
    session.add(c)
    session.flush()
    return c


def do_rename_category(session: Session, actor: Actor, c: KbCategory, name: str) -> KbCategory:
    check_editor(actor)
    c.name = name.strip()
    return c


# ---------------------------------------------------------------- articles


def get_article(session: Session, article_id: int, *, lock: bool = False) -> KbArticle:
    stmt = select(KbArticle).where(KbArticle.id == article_id)
    a = session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()
    if a is None:
        raise NotFound(f"no knowledge article {article_id}", code="knowledge.no_such_article", article_id=article_id)
    return a


def check_can_read(a: KbArticle, audience: Audience, tz: str = "Asia/Shanghai") -> None:
    """Customers read only published public articles valid today; the centre reads everything."""
    if audience == "customer" and (
        a.state != ArticleState.published or a.visibility != "public" or not _valid(a.valid_from, a.valid_to, today(tz))
    ):
        raise NotFound(f"no knowledge article {a.id}", code="knowledge.no_such_article", article_id=a.id)


def versions_of(session: Session, article_id: int) -> list[KbVersion]:
    return list(
        session.scalars(select(KbVersion).where(KbVersion.article_id == article_id).order_by(KbVersion.number.desc()))
    )


def events_of(session: Session, article_id: int) -> list[KbVersionEvent]:
    return list(
        session.scalars(
            select(KbVersionEvent).where(KbVersionEvent.article_id == article_id).order_by(KbVersionEvent.id)
        )
    )


def attachments_of(session: Session, article_id: int) -> list[KbAttachment]:
    return list(
        session.scalars(select(KbAttachment).where(KbAttachment.article_id == article_id).order_by(KbAttachment.id))
    )


def list_articles(
    session: Session,
    *,
    category_id: int | None = None,
    kind: str | None = None,
    state: str | None = None,
    review: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[KbArticle], int]:
    """Articles for the editors' list: a category (and its sub-categories), a kind, a state; ``review``: those
    with a version waiting for review."""
    stmt = select(KbArticle)
    if category_id is not None:
        subs = select(KbCategory.id).where(KbCategory.parent_id == category_id)
        stmt = stmt.where((KbArticle.category_id == category_id) | KbArticle.category_id.in_(subs))
    if kind:
        stmt = stmt.where(KbArticle.kind == kind)
    if state:
        stmt = stmt.where(KbArticle.state == state)
    if review:
        waiting = select(KbVersion.article_id).where(KbVersion.state == VersionState.in_review.value)
        stmt = stmt.where(KbArticle.id.in_(waiting))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.scalars(stmt.order_by(KbArticle.updated_at.desc(), KbArticle.id.desc()).limit(limit).offset(offset))
    return list(rows), total


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    body: str
    variants: tuple[str, ...]
    note: str


def check_article_fields(session: Session, data: dict[str, Any]) -> None:
    if "kind" in data and data["kind"] not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)}", code="knowledge.bad_kind", field="kind")
    if "visibility" in data and data["visibility"] not in VISIBILITIES:
        raise Invalid(
            f"visibility must be one of {', '.join(VISIBILITIES)}", code="knowledge.bad_visibility", field="visibility"
        )
    if data.get("category_id") is not None:
        get_category(session, data["category_id"])
    vf, vt = data.get("valid_from"), data.get("valid_to")
    if vf and vt and vt < vf:
        raise Invalid("valid_to is before valid_from", code="knowledge.valid_to_before_from", field="valid_to")


def _clean_variants(variants: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in (variants or ()) if v and v.strip()))


def _event(
    session: Session,
    a: KbArticle,
    v: KbVersion | None,
    action: str,
    from_state: str | None,
    to_state: str,
    actor: Actor | None,
    note: str = "",
) -> None:
    session.add(
        KbVersionEvent(
            article_id=a.id,
            version_id=v.id if v else None,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor_id=actor.id if actor else None,
            at=now(),
            note=note[:500],
        )
    )


def do_create_article(session: Session, actor: Actor, data: dict[str, Any]) -> KbArticle:
    """A new article and its first version, a draft."""
    check_editor(actor)
    check_article_fields(session, data)
    at = now()
    a = KbArticle(
        kind=data["kind"],
        category_id=data["category_id"],
        visibility=data.get("visibility", "internal"),
        state=ArticleState.draft.value,
        title=data["title"].strip(),
        valid_from=data.get("valid_from"),
        valid_to=data.get("valid_to"),
        created_by=actor.id,
        created_at=at,
        updated_at=at,
        key=data.get("key"),
    )
    session.add(a)
    session.flush()
    v = KbVersion(
        article_id=a.id,
        number=1,
        state=VersionState.draft.value,
        title=a.title,
        body=data["body"],
        variants=list(_clean_variants(data.get("variants"))),
        note=data.get("note", "") or "",
        author_id=actor.id,
        created_at=at,
    )
    session.add(v)
    session.flush()
    _event(session, a, v, "create", None, v.state, actor)
    return a


def latest_version(session: Session, article_id: int) -> KbVersion:
    return session.scalars(
        select(KbVersion).where(KbVersion.article_id == article_id).order_by(KbVersion.number.desc()).limit(1)
    ).one()


def do_edit(session: Session, actor: Actor, a: KbArticle, data: dict[str, Any]) -> KbVersion:
    """Changes the article's draft (a new draft version from the published one when there is none): its
    text, and the article's filing, visibility and validity. A version under review is not edited: the
    reviewer rejects it back to a draft first."""
    check_editor(actor)
    check_article_fields(session, data)
    if a.state == ArticleState.archived:
        raise Conflict("the article is withdrawn: restore it first", code="knowledge.edit_withdrawn")
    v = latest_version(session, a.id)
    if v.state == VersionState.in_review:
        raise Conflict(
            "this version is waiting for review; it can be changed after the reviewer rejects it",
            code="knowledge.edit_in_review",
        )
    at = now()
    if v.state != VersionState.draft:
        v = KbVersion(
            article_id=a.id,
            number=v.number + 1,
            state=VersionState.draft.value,
            title=v.title,
            body=v.body,
            variants=list(v.variants),
            note="",
            author_id=actor.id,
            created_at=at,
        )
        session.add(v)
        session.flush()
        _event(session, a, v, "draft", None, v.state, actor)
    for field in ("title", "body", "note"):
        if data.get(field) is not None:
            setattr(v, field, data[field].strip() if field != "body" else data[field])
    if "variants" in data and data["variants"] is not None:
        v.variants = list(_clean_variants(data["variants"]))
    v.author_id = actor.id
    meta = {k: data[k] for k in ("kind", "category_id", "visibility", "valid_from", "valid_to") if k in data}
    for k, value in meta.items():
        if value is not None or k in ("valid_from", "valid_to"):
            setattr(a, k, value)
    if a.state == ArticleState.draft:
        a.title = v.title
    a.updated_at = at
    if meta and a.state == ArticleState.published:
        do_reindex(session, a)  # filing, visibility and validity apply to the live version at once
        _event(session, a, None, "meta", None, a.state, actor, ", ".join(sorted(meta)))
    return v


def check_transition(session: Session, actor: Actor, a: KbArticle, action: KbAction, note: str) -> KbVersion:
    v = latest_version(session, a.id)
    t = TRANSITIONS[action]
    if VersionState(v.state) not in t.sources:
        allowed = [x.value for x, tt in TRANSITIONS.items() if VersionState(v.state) in tt.sources]
        detail = f"cannot {action.value} a version that is {v.state}"
        refusals = {  # what the action needs, in the user's words
            KbAction.submit: Conflict(detail, code="knowledge.cannot_submit", allowed=allowed),
            KbAction.approve: Conflict(detail, code="knowledge.cannot_approve", allowed=allowed),
            KbAction.reject: Conflict(detail, code="knowledge.cannot_reject", allowed=allowed),
        }
        raise refusals[action]
    if action == KbAction.submit:
        check_editor(actor)
    else:
        check_reviewer(actor)
        if v.author_id == actor.id:
            raise Forbidden(
                "a version is reviewed by someone other than its author (四眼原则)", code="knowledge.own_version"
            )
    if action == KbAction.reject and not note.strip():
        raise Invalid("say why the version is rejected", code="knowledge.no_reject_note", field="note")
    if action == KbAction.submit and not v.body.strip():
        raise Invalid("the version has no text", code="knowledge.no_body", field="body")
    return v


def do_transition(session: Session, actor: Actor, a: KbArticle, action: KbAction, note: str = "") -> KbVersion:
    v = check_transition(session, actor, a, action, note)
    at = now()
    before = v.state
    v.state = TRANSITIONS[action].to.value
    if action == KbAction.submit:
        v.submitted_at = at
    else:
        v.reviewer_id, v.reviewed_at, v.review_note = actor.id, at, note.strip()[:500]
    if action == KbAction.approve:
        if a.live_version_id is not None:
            session.execute(
                update(KbVersion).where(KbVersion.id == a.live_version_id).values(state=VersionState.superseded.value)
            )
        v.published_at = at
        a.live_version_id, a.title, a.state = v.id, v.title, ArticleState.published.value
        do_reindex(session, a)
    a.updated_at = at
    _event(session, a, v, action.value, before, v.state, actor, note)
    return v


def do_archive(session: Session, actor: Actor, a: KbArticle, reason: str) -> KbArticle:
    """Withdraws a published article (下线): no longer found, no longer answered by the bot."""
    check_reviewer(actor)
    if a.state != ArticleState.published:
        raise Conflict(
            f"only a published article is withdrawn; this one is {a.state}", code="knowledge.withdraw_unpublished"
        )
    if not reason.strip():
        raise Invalid("say why the article is withdrawn", code="knowledge.no_withdraw_reason", field="reason")
    a.state, a.updated_at = ArticleState.archived.value, now()
    kb_search.do_unindex(session, a.id)
    session.execute(delete(KbFaq).where(KbFaq.article_id == a.id))
    _event(session, a, None, "archive", ArticleState.published.value, a.state, actor, reason)
    return a


def do_restore(session: Session, actor: Actor, a: KbArticle) -> KbArticle:
    check_reviewer(actor)
    if a.state != ArticleState.archived or a.live_version_id is None:
        raise Conflict(
            "only a withdrawn article that was published is restored", code="knowledge.restore_not_withdrawn"
        )
    a.state, a.updated_at = ArticleState.published.value, now()
    do_reindex(session, a)
    _event(session, a, None, "restore", ArticleState.archived.value, a.state, actor)
    return a


def do_reindex(session: Session, a: KbArticle) -> None:
    v = session.get(KbVersion, a.live_version_id) if a.live_version_id else None
    if v is None:
        return
    kb_search.do_index(
        session,
        kb_search.DocText(
            a.id, a.kind, a.category_id, a.visibility, a.valid_from, a.valid_to, v.title, v.variants, v.body
        ),
    )
    session.execute(delete(KbFaq).where(KbFaq.article_id == a.id))
    if a.kind == "faq":
        session.add(
            KbFaq(
                article_id=a.id,
                category_id=a.category_id,
                visibility=a.visibility,
                title=v.title,
                questions=[v.title, *v.variants],
                answer=v.body,
                valid_from=a.valid_from,
                valid_to=a.valid_to,
                extra={"key": a.key} if a.key else {},
            )
        )
        session.flush()


def do_count_view(session: Session, article_id: int) -> None:
    session.execute(update(KbArticle).where(KbArticle.id == article_id).values(views=KbArticle.views + 1))


# ---------------------------------------------------------------- attachments

MAX_ATTACHMENT = 20 * 1024 * 1024


def do_attach(
    session: Session, actor: Actor, a: KbArticle, filename: str, content_type: str, data: bytes, storage: Any
) -> KbAttachment:
    check_editor(actor)
    if not data:
        raise Invalid("the file is empty", code="knowledge.file_empty", field="file")
    if len(data) > MAX_ATTACHMENT:
        mib = MAX_ATTACHMENT // (1024 * 1024)
        raise TooLarge(f"an attachment is at most {mib} MiB", code="knowledge.attachment_too_large", mib=mib)
    name = re.sub(r"[\\/\x00-\x1f]", "_", filename or "file")[-200:]
    at = now()
    att = KbAttachment(
        article_id=a.id,
        filename=name,
        content_type=content_type or "application/octet-stream",
        size=len(data),
        storage_key="",
        uploaded_by=actor.id,
        uploaded_at=at,
    )
    session.add(att)
    session.flush()
    att.storage_key = f"kb/{a.id}/{att.id}"
    storage.put(att.storage_key, data, att.content_type)
    a.updated_at = at
    return att


def get_attachment(session: Session, a: KbArticle, attachment_id: int) -> KbAttachment:
    att = session.get(KbAttachment, attachment_id)
    if att is None or att.article_id != a.id:
        raise NotFound(
            f"no attachment {attachment_id} on article {a.id}",
            code="knowledge.no_such_attachment",
            attachment_id=attachment_id,
            article_id=a.id,
        )
    return att


def do_detach(session: Session, actor: Actor, att: KbAttachment, storage: Any) -> None:
    check_editor(actor)
    session.delete(att)
    session.flush()
    with contextlib.suppress(Exception):  # the row is gone; a blob left behind is harmless
        storage.delete(att.storage_key)


# ---------------------------------------------------------------- synonyms


def list_synonyms(session: Session) -> list[list[str]]:
    return [list(w) for (w,) in session.execute(select(KbSynonym.words).order_by(KbSynonym.id))]


def check_synonyms(groups: list[list[str]]) -> list[list[str]]:
    clean = []
    for i, g in enumerate(groups):
        words = list(dict.fromkeys(w.strip() for w in g if w and w.strip()))
        if len(words) < 2:
            raise Invalid(
                f"group {i + 1} needs at least two words",
                code="knowledge.synonyms_too_few",
                field="groups",
                group=i + 1,
            )
        if any(len(w) > 20 or re.search(r"\s", w) for w in words):
            raise Invalid(
                f"group {i + 1}: a word is one term of at most 20 characters",
                code="knowledge.synonym_too_long",
                field="groups",
                group=i + 1,
            )
        clean.append(words)
    return clean


def do_set_synonyms(session: Session, actor: Actor, groups: list[list[str]]) -> list[list[str]]:
    """Replaces every synonym group. Search expands queries with them from the next request on; nothing is
    re-indexed."""
    check_editor(actor)
    clean = check_synonyms(groups)
    session.execute(delete(KbSynonym))
    at = now()
    for g in clean:
        session.add(KbSynonym(words=g, updated_at=at))
    session.flush()
    return clean
