"""The knowledge base: categories, articles, versions and their events, attachments, synonyms, the FAQ's
questions for the bot, and the search documents with their full-text index (SQLite: the FTS5 table
``kb_fts`` and its triggers; PostgreSQL: a GIN index over ``kb_docs.vector``).

Revision ID: 406aa5dbced2
Revises: a8c5fb995fe0
Create Date: 2026-12-07 10:10:45.882984
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import huiyin.db

revision: str = '406aa5dbced2'
down_revision: str | None = 'a8c5fb995fe0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('kb_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['kb_categories.id'], name=op.f('fk_kb_categories_parent_id_kb_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_categories')),
    sa.UniqueConstraint('key', name=op.f('uq_kb_categories_key'))
    )
    op.create_table('kb_stats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('docs', sa.Integer(), nullable=False),
    sa.Column('total_length', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_stats'))
    )
    op.create_table('kb_synonyms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('words', sa.JSON(), nullable=False),
    sa.Column('updated_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_synonyms'))
    )
    op.create_table('kb_terms',
    sa.Column('term', sa.String(length=64), nullable=False),
    sa.Column('df', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('term', name=op.f('pk_kb_terms'))
    )
    op.create_table('kb_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('live_version_id', sa.Integer(), nullable=True),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['kb_categories.id'], name=op.f('fk_kb_articles_category_id_kb_categories')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_kb_articles_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_articles')),
    sa.UniqueConstraint('key', name=op.f('uq_kb_articles_key'))
    )
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.create_index('ix_kb_articles_category', ['category_id', 'id'], unique=False)

    op.create_table('kb_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_attachments_article_id_kb_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_kb_attachments_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_attachments'))
    )
    with op.batch_alter_table('kb_attachments', schema=None) as batch_op:
        batch_op.create_index('ix_kb_attachments_article', ['article_id', 'id'], unique=False)

    op.create_table('kb_docs',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('title_words', sa.Text(), nullable=False),
    sa.Column('question_words', sa.Text(), nullable=False),
    sa.Column('body_words', sa.Text(), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.Column('head_vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_docs_article_id_kb_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', name=op.f('pk_kb_docs'))
    )
    with op.batch_alter_table('kb_docs', schema=None) as batch_op:
        batch_op.create_index('ix_kb_docs_category', ['category_id'], unique=False)

    op.create_table('kb_faq',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_faq_article_id_kb_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', name=op.f('pk_kb_faq'))
    )
    op.create_table('kb_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('variants', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('review_note', sa.String(length=500), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_versions_article_id_kb_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_kb_versions_author_id_users')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_kb_versions_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_versions')),
    sa.UniqueConstraint('article_id', 'number', name=op.f('uq_kb_versions_article_id'))
    )
    with op.batch_alter_table('kb_versions', schema=None) as batch_op:
        batch_op.create_index('ix_kb_versions_state', ['state', 'id'], unique=False)

    op.create_table('kb_version_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_kb_version_events_actor_id_users')),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_version_events_article_id_kb_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['kb_versions.id'], name=op.f('fk_kb_version_events_version_id_kb_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_version_events'))
    )
    with op.batch_alter_table('kb_version_events', schema=None) as batch_op:
        batch_op.create_index('ix_kb_version_events_article', ['article_id', 'id'], unique=False)



    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_kb_docs_vector ON kb_docs USING gin (vector)")
        op.execute("CREATE INDEX ix_kb_docs_head_vector ON kb_docs USING gin (head_vector)")
    else:
        for statement in FTS_SQLITE:
            op.execute(statement)


FTS_SQLITE = (
    "CREATE VIRTUAL TABLE kb_fts USING fts5(title_words, question_words, body_words, content='kb_docs', "
    "content_rowid='article_id', tokenize='unicode61')",
    "CREATE TRIGGER kb_fts_ai AFTER INSERT ON kb_docs BEGIN INSERT INTO kb_fts(rowid, title_words, "
    "question_words, body_words) VALUES (new.article_id, new.title_words, new.question_words, new.body_words); END",
    "CREATE TRIGGER kb_fts_ad AFTER DELETE ON kb_docs BEGIN INSERT INTO kb_fts(kb_fts, rowid, title_words, "
    "question_words, body_words) VALUES ('delete', old.article_id, old.title_words, old.question_words, "
    "old.body_words); END",
    "CREATE TRIGGER kb_fts_au AFTER UPDATE ON kb_docs BEGIN INSERT INTO kb_fts(kb_fts, rowid, title_words, "
    "question_words, body_words) VALUES ('delete', old.article_id, old.title_words, old.question_words, "
    "old.body_words); INSERT INTO kb_fts(rowid, title_words, question_words, body_words) VALUES "
    "(new.article_id, new.title_words, new.question_words, new.body_words); END",
)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_kb_docs_vector")
        op.execute("DROP INDEX IF EXISTS ix_kb_docs_head_vector")
    else:
        for name in ("kb_fts_ai", "kb_fts_ad", "kb_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS kb_fts")
    with op.batch_alter_table('kb_version_events', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_version_events_article')

    op.drop_table('kb_version_events')
    with op.batch_alter_table('kb_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_versions_state')

    op.drop_table('kb_versions')
    op.drop_table('kb_faq')
    with op.batch_alter_table('kb_docs', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_docs_category')

    op.drop_table('kb_docs')
    with op.batch_alter_table('kb_attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_attachments_article')

    op.drop_table('kb_attachments')
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_articles_category')

    op.drop_table('kb_articles')
    op.drop_table('kb_terms')
    op.drop_table('kb_synonyms')
    op.drop_table('kb_stats')
    op.drop_table('kb_categories')
