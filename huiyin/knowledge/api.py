"""Knowledge-base endpoints: categories, articles and their review, attachments, synonyms, search for the
centre, and the public articles and search for customers (no sign-in: what is public is public)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from huiyin.auth.refs import directory
from huiyin.core.actor import SignedIn
from huiyin.core.deps import SessionDep, SettingsDep, require_roles
from huiyin.core.roles import MANAGERS, Role
from huiyin.core.schemas import PathId, QueryId
from huiyin.errors import Invalid, TooLarge
from huiyin.knowledge import service
from huiyin.knowledge.models import KbArticle, KbVersion
from huiyin.knowledge.schemas import (
    KbArchiveIn,
    KbArticleDetail,
    KbArticleIn,
    KbArticlePatch,
    KbArticlePublic,
    KbArticlesPublic,
    KbAttachmentPublic,
    KbCategoriesPublic,
    KbCategoryIn,
    KbCategoryPublic,
    KbEventPublic,
    KbHit,
    KbOutageArticle,
    KbPublicArticle,
    KbReviewIn,
    KbSearchPublic,
    KbSynonymsIn,
    KbSynonymsPublic,
    KbVersionPublic,
    KindName,
)
from huiyin.knowledge.states import EDITORS, ArticleState, KbAction
from huiyin.storage import StorageDep

router = APIRouter(tags=["knowledge"])

CENTRE = (Role.agent, Role.dispatcher, Role.qa_inspector, *MANAGERS, Role.admin)
Centre = Annotated[SignedIn, Depends(require_roles(*CENTRE))]
Editor = Annotated[SignedIn, Depends(require_roles(*EDITORS))]
Q = Annotated[str, Query(min_length=1, max_length=200, description="what is asked, in any words")]


@router.get("/kb/categories", operation_id="knowledge-categories")
async def categories(session: SessionDep) -> KbCategoriesPublic:
    """The category tree (two levels), in order: public, the self-service site files its articles by it."""
    return KbCategoriesPublic(items=[KbCategoryPublic.model_validate(c) for c in service.list_categories(session)])


@router.post("/kb/categories", status_code=201, operation_id="knowledge-create_category")
async def create_category(body: KbCategoryIn, session: SessionDep, user: Editor) -> KbCategoryPublic:
    return KbCategoryPublic.model_validate(service.do_create_category(session, user, body.name, body.parent_id))


@router.patch("/kb/categories/{category_id}", operation_id="knowledge-rename_category")
async def rename_category(
    category_id: PathId, body: KbCategoryIn, session: SessionDep, user: Editor
) -> KbCategoryPublic:
    c = service.get_category(session, category_id)
    return KbCategoryPublic.model_validate(service.do_rename_category(session, user, c, body.name))


def _summary(session: SessionDep, a: KbArticle) -> KbArticlePublic:
    out = KbArticlePublic.model_validate(a)
    latest = service.latest_version(session, a.id)
    if latest.id != a.live_version_id:
        out.pending = latest.state
    return out


@router.get("/kb/articles", operation_id="knowledge-list")
async def list_articles(
    session: SessionDep,
    _: Centre,
    category_id: QueryId = None,
    kind: KindName | None = None,
    state: ArticleState | None = None,
    review: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> KbArticlesPublic:
    """Articles for the editors: by category (with its sub-categories), kind, state; ``review``: the ones
    with a version waiting for review (待审核)."""
    rows, total = service.list_articles(
        session,
        category_id=category_id,
        kind=kind,
        state=state.value if state else None,
        review=review,
        limit=limit,
        offset=offset,
    )
    return KbArticlesPublic(items=[_summary(session, a) for a in rows], total=total)


def _version(v: KbVersion) -> KbVersionPublic:
    return KbVersionPublic.model_validate(v)


def _detail(session: SessionDep, a: KbArticle) -> KbArticleDetail:
    versions = service.versions_of(session, a.id)
    live = next((v for v in versions if v.id == a.live_version_id), None)
    people = directory(session)
    events = []
    for e in service.events_of(session, a.id):
        out = KbEventPublic.model_validate(e)
        who = people.users.get(e.actor_id) if e.actor_id else None
        out.actor_name = who.full_name if who else None
        events.append(out)
    summary = _summary(session, a)
    return KbArticleDetail(
        **summary.model_dump(),
        live=_version(live) if live else None,
        latest=_version(versions[0]),
        versions=[_version(v) for v in versions],
        events=events,
        attachments=[KbAttachmentPublic.model_validate(x) for x in service.attachments_of(session, a.id)],
        valid_now=service._valid(a.valid_from, a.valid_to, service.today()),
    )


@router.post("/kb/articles", status_code=201, operation_id="knowledge-create")
async def create_article(body: KbArticleIn, session: SessionDep, user: Editor) -> KbArticleDetail:
    """A new article; its first version is a draft, found by no one until it is reviewed and published."""
    a = service.do_create_article(session, user, body.model_dump())
    return _detail(session, a)


@router.get("/kb/articles/{article_id}", operation_id="knowledge-get")
async def get_article(article_id: PathId, session: SessionDep, _: Centre) -> KbArticleDetail:
    a = service.get_article(session, article_id)
    service.do_count_view(session, a.id)
    return _detail(session, a)


@router.patch("/kb/articles/{article_id}", operation_id="knowledge-edit")
async def edit_article(article_id: PathId, body: KbArticlePatch, session: SessionDep, user: Editor) -> KbArticleDetail:
    a = service.get_article(session, article_id, lock=True)
    service.do_edit(session, user, a, body.model_dump(exclude_unset=True))
    return _detail(session, a)


def _review(action: KbAction, name: str, doc: str) -> None:
    async def handler(article_id: PathId, body: KbReviewIn, session: SessionDep, user: Editor) -> KbArticleDetail:
        a = service.get_article(session, article_id, lock=True)
        service.do_transition(session, user, a, action, body.note)
        return _detail(session, a)

    handler.__doc__ = doc
    router.post(f"/kb/articles/{{article_id}}/{action.value}", operation_id=f"knowledge-{name}")(handler)


_review(KbAction.submit, "submit", "The draft goes to review (待审核).")
_review(KbAction.approve, "approve", "A reviewer (not the author) publishes the version: search finds it at once.")
_review(KbAction.reject, "reject", "A reviewer sends the version back to draft, saying why.")


@router.post("/kb/articles/{article_id}/archive", operation_id="knowledge-archive")
async def archive_article(article_id: PathId, body: KbArchiveIn, session: SessionDep, user: Editor) -> KbArticleDetail:
    """Withdraws a published article (下线): search and the bot no longer find it."""
    a = service.get_article(session, article_id, lock=True)
    service.do_archive(session, user, a, body.reason)
    return _detail(session, a)


@router.post("/kb/articles/{article_id}/restore", operation_id="knowledge-restore")
async def restore_article(article_id: PathId, session: SessionDep, user: Editor) -> KbArticleDetail:
    a = service.get_article(session, article_id, lock=True)
    service.do_restore(session, user, a)
    return _detail(session, a)


@router.post("/kb/articles/{article_id}/attachments", status_code=201, operation_id="knowledge-attach")
async def attach(
    article_id: PathId,
    file: Annotated[UploadFile, File(description="a document, a picture, a form")],
    session: SessionDep,
    user: Editor,
    storage: StorageDep,
) -> KbAttachmentPublic:
    a = service.get_article(session, article_id)
    data = await file.read(service.MAX_ATTACHMENT + 1)
    if len(data) > service.MAX_ATTACHMENT:
        mib = service.MAX_ATTACHMENT // (1024 * 1024)
        raise TooLarge(f"an attachment is at most {mib} MiB", code="knowledge.attachment_too_large", mib=mib)
    att = await run_in_threadpool(
        service.do_attach, session, user, a, file.filename or "file", file.content_type or "", data, storage
    )
    return KbAttachmentPublic.model_validate(att)


@router.delete(
    "/kb/articles/{article_id}/attachments/{attachment_id}", status_code=204, operation_id="knowledge-detach"
)
async def detach(
    article_id: PathId, attachment_id: PathId, session: SessionDep, user: Editor, storage: StorageDep
) -> Response:
    a = service.get_article(session, article_id)
    att = service.get_attachment(session, a, attachment_id)
    await run_in_threadpool(service.do_detach, session, user, att, storage)
    return Response(status_code=204)


def _file(data: bytes, filename: str, content_type: str) -> Response:
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    headers = {
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(data, media_type=content_type, headers=headers)


@router.get(
    "/kb/articles/{article_id}/attachments/{attachment_id}",
    operation_id="knowledge-attachment",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file's bytes"}},
)
async def attachment(
    article_id: PathId, attachment_id: PathId, session: SessionDep, _: Centre, storage: StorageDep
) -> Response:
    return await _attachment(session, storage, service.get_article(session, article_id), attachment_id)


async def _attachment(session: SessionDep, storage: Any, a: KbArticle, attachment_id: int) -> Response:
    """An article's attachment, as a download (the article found and checked by the caller)."""
    att = service.get_attachment(session, a, attachment_id)
    data = await run_in_threadpool(storage.get, att.storage_key)
    return _file(data, att.filename, att.content_type)


@router.get("/kb/search", operation_id="knowledge-search")
async def search(
    q: Q,
    session: SessionDep,
    _: Centre,
    settings: SettingsDep,
    category_id: QueryId = None,
    kind: KindName | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> KbSearchPublic:
    """Chinese search over the published articles (internal and public) and the live outages, best first.
    Two-character words (漏气, 过户, 复电) are found; synonyms count as the same word."""
    cats = _with_children(session, category_id)
    found = service.find(
        session,
        q,
        audience="agent",
        limit=limit,
        category_ids=cats,
        kinds=(kind,) if kind else None,
        tz=settings.timezone,
    )
    return KbSearchPublic(q=q, items=[KbHit(**_hit(f)) for f in found])


def _hit(f: service.Found) -> dict[str, object]:
    return {
        "id": f.id,
        "source": f.source,
        "kind": f.kind,
        "title": f.title,
        "snippet": f.snippet,
        "score": f.score,
        "category_id": f.category_id,
    }


def _with_children(session: SessionDep, category_id: int | None) -> tuple[int, ...] | None:
    if category_id is None:
        return None
    service.get_category(session, category_id)
    return (category_id, *(c.id for c in service.list_categories(session) if c.parent_id == category_id))


@router.get("/kb/outages/{outage_id}", operation_id="knowledge-outage_article")
async def outage_article(outage_id: PathId, session: SessionDep, settings: SettingsDep) -> KbOutageArticle:
    """A live outage as an article (public: customers read it too)."""
    return KbOutageArticle(**service.outage_article(session, outage_id, settings.timezone))


@router.get("/kb/public/search", operation_id="knowledge-public_search")
async def public_search(
    q: Q, session: SessionDep, settings: SettingsDep, limit: Annotated[int, Query(ge=1, le=20)] = 10
) -> KbSearchPublic:
    """What customers find: public articles valid today, and the live outages."""
    found = service.find(session, q, audience="customer", limit=limit, tz=settings.timezone)
    return KbSearchPublic(q=q, items=[KbHit(**_hit(f)) for f in found])


@router.get("/kb/public/articles/{article_id}", operation_id="knowledge-public_article")
async def public_article(article_id: PathId, session: SessionDep, settings: SettingsDep) -> KbPublicArticle:
    a = service.get_article(session, article_id)
    service.check_can_read(a, "customer", settings.timezone)
    live = session.get(KbVersion, a.live_version_id)
    if live is None:
        raise Invalid("the article has no published version", code="knowledge.no_published_version")
    return KbPublicArticle(
        id=a.id,
        title=live.title,
        body=live.body,
        category_id=a.category_id,
        attachments=[KbAttachmentPublic.model_validate(x) for x in service.attachments_of(session, a.id)],
    )


@router.get(
    "/kb/public/articles/{article_id}/attachments/{attachment_id}",
    operation_id="knowledge-public_attachment",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file's bytes"}},
)
async def public_attachment(
    article_id: PathId, attachment_id: PathId, session: SessionDep, settings: SettingsDep, storage: StorageDep
) -> Response:
    """A public article's attachment (a safety notice, a form to fill in), for customers: only of an article
    they may read (public, published, valid today), else 404."""
    a = service.get_article(session, article_id)
    service.check_can_read(a, "customer", settings.timezone)
    return await _attachment(session, storage, a, attachment_id)


@router.get("/kb/synonyms", operation_id="knowledge-synonyms")
async def synonyms(session: SessionDep, _: Centre) -> KbSynonymsPublic:
    return KbSynonymsPublic(groups=service.list_synonyms(session))


@router.put("/kb/synonyms", operation_id="knowledge-set_synonyms")
async def set_synonyms(body: KbSynonymsIn, session: SessionDep, user: Editor) -> KbSynonymsPublic:
    """Replaces every synonym group (燃气/天然气/煤气): search uses them from the next request on."""
    return KbSynonymsPublic(groups=service.do_set_synonyms(session, user, [list(g) for g in body.groups]))
