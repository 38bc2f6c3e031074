"""The knowledge base (知识库): a category tree, articles with their versions (a draft is written, reviewed,
published; an older published version is kept as superseded), FAQ question variants, attachments, the synonym
groups search expands a query with, and the search documents.

Search: ``kb_docs`` holds one row per article that may be found now (its published version), its text cut
into words by jieba (``knowledge.words``) and joined by spaces. SQLite indexes those columns in an FTS5 table
``kb_fts`` kept in step by triggers; PostgreSQL in a GIN index over ``to_tsvector('simple', …)``. Both are
made by the migration and are not described here (``migrations/env.py`` keeps them out of autogenerate).
The database finds the candidates; ``knowledge.search`` ranks them by BM25 with the same numbers on both.

``kb_faq`` holds the published FAQs' question variants: the bot's reference data (``bot.refs``), written only
when a FAQ is published or withdrawn, so editing drafts does not disturb it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.db import Base, UTCDateTime


class KbCategory(Base):
    __tablename__ = "kb_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(64), unique=True)  # the seed's stable name
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("kb_categories.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)


class KbArticle(Base):
    """An article: what it is, where it is filed, who may see it, when it is valid, and its live version."""

    __tablename__ = "kb_articles"
    __table_args__ = (Index("ix_kb_articles_category", "category_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(64), unique=True)  # the seed's stable name
    kind: Mapped[str] = mapped_column(String(16))  # faq | policy | procedure | script
    category_id: Mapped[int] = mapped_column(ForeignKey("kb_categories.id"))
    visibility: Mapped[str] = mapped_column(String(16), default="internal")  # internal | public
    state: Mapped[str] = mapped_column(String(16))  # draft | published | archived (the article as a whole)
    title: Mapped[str] = mapped_column(String(200))  # the latest version's, for lists
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    live_version_id: Mapped[int | None] = mapped_column(Integer)  # kb_versions.id (no key: the two point at each other)
    views: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class KbVersion(Base):
    """One version of an article: draft → in_review → published (→ superseded by the next); rejected goes
    back to the author with the reviewer's note."""

    __tablename__ = "kb_versions"
    __table_args__ = (UniqueConstraint("article_id", "number"), Index("ix_kb_versions_state", "state", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    variants: Mapped[list[str]] = mapped_column(JSON, default=list)  # a FAQ's other ways to ask
    note: Mapped[str] = mapped_column(String(500), default="")  # what changed (the author's)
    review_note: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class KbVersionEvent(Base):
    """Every transition of a version: who, when, from what to what, why."""

    __tablename__ = "kb_version_events"
    __table_args__ = (Index("ix_kb_version_events_article", "article_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("kb_versions.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(500), default="")


class KbAttachment(Base):
    __tablename__ = "kb_attachments"
    __table_args__ = (Index("ix_kb_attachments_article", "article_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(300))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class KbSynonym(Base):
    """A group of words that mean the same here (燃气/天然气/煤气): a query with one finds the others. The first
    word is the one shown."""

    __tablename__ = "kb_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    words: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class KbDoc(Base):
    """What search finds: one row per article with a live version, its words joined by spaces."""

    __tablename__ = "kb_docs"
    __table_args__ = (Index("ix_kb_docs_category", "category_id"),)

    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    category_id: Mapped[int] = mapped_column(Integer)
    visibility: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    title_words: Mapped[str] = mapped_column(Text)
    question_words: Mapped[str] = mapped_column(Text, default="")  # a FAQ's variants
    body_words: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)  # words, weighted as ranking weighs the fields
    # PostgreSQL's full-text vectors of every field, and of the title and questions (SQLite: FTS5's columns)
    vector: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    head_vector: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))


class KbTerm(Base):
    """How many searchable documents hold each word (BM25's document frequency), kept with ``kb_docs``."""

    __tablename__ = "kb_terms"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    df: Mapped[int] = mapped_column(Integer)


class KbStats(Base):
    """One row: the number of searchable documents and their total weighted length (BM25's average)."""

    __tablename__ = "kb_stats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    docs: Mapped[int] = mapped_column(Integer, default=0)
    total_length: Mapped[int] = mapped_column(Integer, default=0)


class KbFaq(Base):
    """A published FAQ's questions (its title and variants) and answer, as the bot reads them."""

    __tablename__ = "kb_faq"

    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer)
    visibility: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    questions: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
