"""The knowledge base's API types."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from huiyin.core.schemas import RefId

KindName = Literal["faq", "policy", "procedure", "script"]
VisibilityName = Literal["internal", "public"]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Body = Annotated[str, StringConstraints(min_length=1, max_length=50_000)]
Variant = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


class KbCategoryIn(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    parent_id: RefId | None = None


class KbCategoryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    parent_id: int | None
    position: int


class KbCategoriesPublic(BaseModel):
    items: list[KbCategoryPublic]


class KbArticleIn(BaseModel):
    kind: KindName
    category_id: RefId
    visibility: VisibilityName = "internal"
    title: Title
    body: Body
    variants: Annotated[list[Variant], Field(max_length=50)] = Field(
        default_factory=list, description="a FAQ's other ways to ask"
    )
    valid_from: date | None = None
    valid_to: date | None = None
    note: Note = ""


class KbArticlePatch(BaseModel):
    """Changes the draft (made from the published version when there is none); filing, visibility and
    validity apply at once."""

    kind: KindName | None = None
    category_id: RefId | None = None
    visibility: VisibilityName | None = None
    title: Title | None = None
    body: Body | None = None
    variants: Annotated[list[Variant], Field(max_length=50)] | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    note: Note | None = None


class KbReviewIn(BaseModel):
    note: Note = ""


class KbArchiveIn(BaseModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class KbVersionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: int
    state: str
    title: str
    body: str
    variants: list[str]
    note: str
    review_note: str
    author_id: int | None
    reviewer_id: int | None
    created_at: datetime
    submitted_at: datetime | None
    reviewed_at: datetime | None
    published_at: datetime | None


class KbEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    version_id: int | None
    action: str
    from_state: str | None
    to_state: str
    actor_id: int | None
    actor_name: str | None = None
    at: datetime
    note: str


class KbAttachmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


class KbArticlePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    category_id: int
    visibility: str
    state: str
    title: str
    valid_from: date | None
    valid_to: date | None
    live_version_id: int | None
    views: int
    updated_at: datetime
    pending: str | None = Field(default=None, description="the latest version's state when it is not the live one")


class KbArticlesPublic(BaseModel):
    items: list[KbArticlePublic]
    total: int


class KbArticleDetail(KbArticlePublic):
    live: KbVersionPublic | None = Field(description="the published version (what search finds)")
    latest: KbVersionPublic = Field(description="the newest version: the draft, the one in review, or the live one")
    versions: list[KbVersionPublic]
    events: list[KbEventPublic]
    attachments: list[KbAttachmentPublic]
    valid_now: bool


class KbHit(BaseModel):
    id: int
    source: Literal["article", "outage"]
    kind: str
    title: str
    snippet: str = Field(description="plain text; the matched words marked 【】")
    score: float
    category_id: int | None


class KbSearchPublic(BaseModel):
    q: str
    items: list[KbHit]


class KbPublicArticle(BaseModel):
    """What a customer reads: a public article's live text."""

    id: int
    title: str
    body: str
    category_id: int | None
    attachments: list[KbAttachmentPublic]


class KbOutageArticle(BaseModel):
    id: int
    title: str
    body: str
    announcement: str
    state: str


class KbSynonymsIn(BaseModel):
    groups: Annotated[list[Annotated[list[Word], Field(min_length=2, max_length=30)]], Field(max_length=2000)]


class KbSynonymsPublic(BaseModel):
    groups: list[list[str]]
