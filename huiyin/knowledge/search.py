"""Knowledge-base search: the database finds, BM25 ranks.

Each searchable article is one ``kb_docs`` row of space-joined words (``knowledge.words``). A query is cut the
same way; each of its words becomes a group with its synonyms (燃气 → 燃气 | 天然气 | 煤气), so that editing a
synonym needs no re-indexing. The database finds the candidates through its full-text index (SQLite: FTS5
``kb_fts``; PostgreSQL: the GIN index over ``kb_docs.vector``): the documents holding every group first, then,
if they are too few, those holding any. The candidates are ranked here by BM25F (title ×3, questions ×2,
body ×1; a synonym group counts as one term), with the document frequencies kept in ``kb_terms``, so that both
databases give the same order and the same scores.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import BindParameter, bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from huiyin.core.refcache import Snapshot, refs
from huiyin.knowledge.models import KbDoc, KbStats, KbSynonym, KbTerm
from huiyin.knowledge.words import add_words, fold, words

K1 = 1.2
B = 0.75
WEIGHTS = (3, 2, 1)  # title, questions, body
CANDIDATES = 200
"""At most this many documents are ranked here per pass; the index orders them by its own rank first."""


@dataclass(frozen=True)
class Synonyms:
    groups: tuple[tuple[str, ...], ...]
    of: dict[str, tuple[str, ...]]  # a word → its group

    def expand(self, word: str) -> tuple[str, ...]:
        return self.of.get(word, (word,))


def _load_synonyms(session: Session) -> Synonyms:
    groups: list[tuple[str, ...]] = []
    of: dict[str, tuple[str, ...]] = {}
    for (ws,) in session.execute(select(KbSynonym.words).order_by(KbSynonym.id)):
        group = tuple(dict.fromkeys(fold(w).strip() for w in ws if w and w.strip()))
        if len(group) < 2:
            continue
        groups.append(group)
        for w in group:
            of[w] = tuple(dict.fromkeys((*of.get(w, ()), *group)))
    add_words(w for g in groups for w in g)
    return Synonyms(tuple(groups), of)


SYNONYMS = Snapshot("kb_synonyms", _load_synonyms, frozenset({"kb_synonyms"}))


def synonyms(session: Session) -> Synonyms:
    return refs(session, SYNONYMS)


# ---------------------------------------------------------------- indexing


@dataclass(frozen=True)
class DocText:
    article_id: int
    kind: str
    category_id: int
    visibility: str
    valid_from: date | None
    valid_to: date | None
    title: str
    questions: Sequence[str]
    body: str


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _weighted_length(title: Sequence[str], questions: Sequence[str], body: Sequence[str]) -> int:
    return WEIGHTS[0] * len(title) + WEIGHTS[1] * len(questions) + WEIGHTS[2] * len(body)


def do_index(session: Session, doc: DocText) -> None:
    """Makes ``doc`` searchable as it is now (replacing what was indexed of that article)."""
    synonyms(session)  # the synonym words are kept whole by jieba before the text is cut
    title = words(doc.title)
    questions = [w for q in doc.questions for w in words(q)]
    body = words(doc.body)
    old_terms = _drop(session, doc.article_id)
    row: dict[str, Any] = {
        "article_id": doc.article_id,
        "kind": doc.kind,
        "category_id": doc.category_id,
        "visibility": doc.visibility,
        "valid_from": doc.valid_from,
        "valid_to": doc.valid_to,
        "title_words": " ".join(title),
        "question_words": " ".join(questions),
        "body_words": " ".join(body),
        "length": _weighted_length(title, questions, body),
    }
    session.execute(insert(KbDoc).values(**row))
    if _is_pg(session):
        session.execute(
            text(
                "UPDATE kb_docs SET vector = to_tsvector('simple', title_words || ' ' || question_words || ' ' "
                "|| body_words), head_vector = to_tsvector('simple', title_words || ' ' || question_words) "
                "WHERE article_id = :id"
            ),
            {"id": doc.article_id},
        )
    new_terms = set(title) | set(questions) | set(body)
    _count_terms(session, new_terms, +1)
    _count_terms(session, old_terms[1], -1)
    _stats(session, 1 - old_terms[0], row["length"] - old_terms[2])


def do_index_many(session: Session, docs: Sequence[DocText], *, batch: int = 2000) -> int:
    """Indexes many new articles at once (a bulk import, a rebuild after clearing): the same rows as
    ``do_index``, written in batches, the term counts added once. The articles must not be indexed yet."""
    synonyms(session)
    df: Counter[str] = Counter()
    total = 0
    pg = _is_pg(session)
    for start in range(0, len(docs), batch):
        rows: list[dict[str, Any]] = []
        for doc in docs[start : start + batch]:
            title, body = words(doc.title), words(doc.body)
            questions = [w for q in doc.questions for w in words(q)]
            length = _weighted_length(title, questions, body)
            total += length
            df.update(set(title) | set(questions) | set(body))
            rows.append(
                {
                    "article_id": doc.article_id,
                    "kind": doc.kind,
                    "category_id": doc.category_id,
                    "visibility": doc.visibility,
                    "valid_from": doc.valid_from,
                    "valid_to": doc.valid_to,
                    "title_words": " ".join(title),
                    "question_words": " ".join(questions),
                    "body_words": " ".join(body),
                    "length": length,
                }
            )
        session.execute(insert(KbDoc), rows)
        if pg:
            session.execute(
                text(
                    "UPDATE kb_docs SET vector = to_tsvector('simple', title_words || ' ' || question_words || ' ' "
                    "|| body_words), head_vector = to_tsvector('simple', title_words || ' ' || question_words) "
                    "WHERE article_id BETWEEN :a AND :b AND vector IS NULL"
                ),
                {"a": min(r["article_id"] for r in rows), "b": max(r["article_id"] for r in rows)},
            )
    by_count: dict[int, list[str]] = {}
    for term, n in df.items():
        if len(term) <= 64:
            by_count.setdefault(n, []).append(term)
    for n, terms in by_count.items():
        for start in range(0, len(terms), 5000):
            _count_terms(session, terms[start : start + 5000], n)
    _stats(session, len(docs), total)
    return len(docs)


def do_unindex(session: Session, article_id: int) -> None:
    """The article is no longer found (withdrawn, deleted)."""
    found, terms, length = _drop(session, article_id)
    if found:
        _count_terms(session, terms, -1)
        _stats(session, -1, -length)


def _drop(session: Session, article_id: int) -> tuple[int, set[str], int]:
    old = session.execute(
        select(KbDoc.title_words, KbDoc.question_words, KbDoc.body_words, KbDoc.length).where(
            KbDoc.article_id == article_id
        )
    ).one_or_none()
    if old is None:
        return 0, set(), 0
    session.execute(delete(KbDoc).where(KbDoc.article_id == article_id))
    return 1, set(" ".join(old[:3]).split()), old.length


def _count_terms(session: Session, terms: Iterable[str], delta: int) -> None:
    terms = sorted({t for t in terms if len(t) <= 64})
    if not terms or delta == 0:
        return
    if delta > 0:
        if _is_pg(session):
            stmt = pg_insert(KbTerm).values([{"term": t, "df": delta} for t in terms])
            session.execute(stmt.on_conflict_do_update(index_elements=["term"], set_={"df": KbTerm.df + delta}))
        else:
            session.execute(
                text(
                    "INSERT INTO kb_terms (term, df) VALUES (:term, :df) ON CONFLICT (term) DO UPDATE SET df = df + :df"
                ),
                [{"term": t, "df": delta} for t in terms],
            )
    else:
        session.execute(update(KbTerm).where(KbTerm.term.in_(terms)).values(df=KbTerm.df + delta))


def _stats(session: Session, docs: int, length: int) -> None:
    if docs == 0 and length == 0:
        return
    done = session.connection().execute(
        update(KbStats)
        .where(KbStats.id == 1)
        .values(docs=KbStats.docs + docs, total_length=KbStats.total_length + length)
    )
    if done.rowcount == 0:
        session.add(KbStats(id=1, docs=docs, total_length=length))
        session.flush()


# ---------------------------------------------------------------- querying


@dataclass(frozen=True)
class Query:
    groups: tuple[tuple[str, ...], ...]  # each query word with its synonyms

    @property
    def empty(self) -> bool:
        return not self.groups


def parse(session: Session, q: str) -> Query:
    syn = synonyms(session)
    seen: dict[tuple[str, ...], None] = {}
    for w in words(q):
        seen.setdefault(syn.expand(w), None)
    # a group inside another (燃气 within 燃气热水器's sub-words) is kept: both ranked, each its own term
    return Query(tuple(seen)[:16])


@dataclass(frozen=True)
class Hit:
    article_id: int
    score: float
    matched: tuple[str, ...]  # the words found, for the snippet


@dataclass(frozen=True)
class Filters:
    visibility: tuple[str, ...] = ("internal", "public")
    category_ids: tuple[int, ...] | None = None
    kinds: tuple[str, ...] | None = None
    on: date | None = None  # valid on this day


def search(session: Session, query: Query, filters: Filters, limit: int = 10) -> list[Hit]:
    """The best ``limit`` documents for ``query`` by BM25F.

    First the documents that hold every group. When they are fewer than ``limit``, those that hold any of the
    query's rarer groups (in at most ``RARE`` of the documents, or ``BROAD``; at least the rarest): a common word (街道,
    燃气 in a gas company's base) would make nearly every document a candidate and says little about which is
    best; it still counts in the ranking.

    A pass that would match more than ``BROAD`` documents (a query of one common word: 过户 in a base of
    procedures) looks in the titles and FAQ questions first, where the best of them are, and ranks those;
    only if they are too few does it add the newest of the documents holding it in their bodies. Ranking every
    document that mentions the word would cost the database time in proportion to the base."""
    if query.empty:
        return []
    corpus = _corpus(session, query)
    n, _, df = corpus
    sizes = [_group_df(g, df, n) for g in query.groups]
    rows = _pass(session, query.groups, filters, every=True, estimate=min(sizes), limit=limit)
    if len(rows) < limit and len(query.groups) > 1:
        by_df = [(d, g) for d, g in sorted(zip(sizes, query.groups, strict=True)) if d > 0]  # absent words find none
        if not by_df:
            return rank(query, rows, corpus)[:limit]
        rare = [g for d, g in by_df if d <= max(RARE * n, BROAD)] or [by_df[0][1]]
        estimate = sum(d for d, g in by_df if g in rare)
        seen = {r[0] for r in rows}
        more = _pass(session, tuple(rare), filters, every=False, estimate=estimate, limit=limit)
        rows += [r for r in more if r[0] not in seen]
    return rank(query, rows, corpus)[:limit]


BROAD = 3000


def _pass(
    session: Session, groups: tuple[tuple[str, ...], ...], filters: Filters, *, every: bool, estimate: int, limit: int
) -> list[Row]:
    if estimate <= BROAD:
        return _candidates(session, groups, filters, every=every)
    rows = _candidates(session, groups, filters, every=every, head=True)
    if len(rows) < limit:
        seen = {r[0] for r in rows}
        rows += [r for r in _candidates(session, groups, filters, every=every, newest=True) if r[0] not in seen]
    return rows


RARE = 0.05


def _group_df(group: tuple[str, ...], df: dict[str, int], n: int) -> int:
    return min(n, sum(df.get(w, 0) for w in group))


Row = tuple[int, str, str, str, int]  # article_id, title, questions, body words, length
Corpus = tuple[int, float, dict[str, int]]  # documents, their average weighted length, the query words' df


def _candidates(
    session: Session,
    groups: tuple[tuple[str, ...], ...],
    filters: Filters,
    *,
    every: bool,
    head: bool = False,
    newest: bool = False,
) -> list[Row]:
    """Documents holding every group (``every``) or any, in the titles and questions only (``head``), ordered
    by the index's own rank, or the newest first without ranking (``newest``), at most ``CANDIDATES``."""
    where = ["d.visibility IN :vis"]
    params: dict[str, object] = {"vis": filters.visibility, "n": CANDIDATES}
    if filters.category_ids is not None:
        where.append("d.category_id IN :cats")
        params["cats"] = filters.category_ids or (-1,)
    if filters.kinds is not None:
        where.append("d.kind IN :kinds")
        params["kinds"] = filters.kinds or ("",)
    if filters.on is not None:
        where.append("(d.valid_from IS NULL OR d.valid_from <= :on) AND (d.valid_to IS NULL OR d.valid_to >= :on)")
        params["on"] = filters.on
    cols = "d.article_id, d.title_words, d.question_words, d.body_words, d.length"
    if _is_pg(session):
        op = " & " if every else " | "
        params["q"] = op.join("(" + " | ".join(_pg_lexeme(w) for w in g) + ")" for g in groups)
        vector = "d.head_vector" if head else "d.vector"
        order = "d.article_id DESC" if newest else f"ts_rank({vector}, to_tsquery('simple', :q)) DESC, d.article_id"
        sql = (
            f"SELECT {cols} FROM kb_docs d WHERE {vector} @@ to_tsquery('simple', :q) AND {' AND '.join(where)} "
            f"ORDER BY {order} LIMIT :n"
        )
    else:
        op = " AND " if every else " OR "
        q = op.join("(" + " OR ".join(_fts_string(w) for w in g) + ")" for g in groups)
        params["q"] = f"{{title_words question_words}} : ({q})" if head else q
        order = "kb_fts.rowid DESC" if newest else "bm25(kb_fts, 3.0, 2.0, 1.0), d.article_id"
        sql = (
            f"SELECT {cols} FROM kb_fts JOIN kb_docs d ON d.article_id = kb_fts.rowid "
            f"WHERE kb_fts MATCH :q AND {' AND '.join(where)} ORDER BY {order} LIMIT :n"
        )
    stmt = text(sql).bindparams(*_expanding(params))
    return [tuple(r) for r in session.execute(stmt, params)]


def _expanding(params: dict[str, object]) -> list[BindParameter[Any]]:
    return [bindparam(k, expanding=True) for k, v in params.items() if isinstance(v, tuple)]


def _pg_lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _fts_string(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _corpus(session: Session, query: Query) -> Corpus:
    stats = session.execute(select(KbStats.docs, KbStats.total_length).where(KbStats.id == 1)).one_or_none()
    n, total = (stats[0], stats[1]) if stats else (0, 0)
    terms = sorted({w for g in query.groups for w in g})
    df = {t: d for t, d in session.execute(select(KbTerm.term, KbTerm.df).where(KbTerm.term.in_(terms)))}
    return n, (total / n if n else 1.0), df


def rank(query: Query, rows: Sequence[Row], corpus: Corpus) -> list[Hit]:
    if not rows:
        return []
    n, avg, df = corpus
    n = max(n, len(rows))
    idf = []
    for g in query.groups:
        d = _group_df(g, df, n) or 1
        idf.append(math.log(1 + (n - d + 0.5) / (d + 0.5)))
    hits = []
    for article_id, *fields, length in rows:
        padded = [f" {f} " for f in fields]  # a word is counted whole: " 燃气 " is not inside " 燃气表 "
        score = 0.0
        matched: list[str] = []
        norm = K1 * (1 - B + B * (length or 1) / (avg or 1))
        for g, weight in zip(query.groups, idf, strict=True):
            tf = 0
            for w in g:
                needle = f" {w} "
                counts = [f.count(needle) for f in padded]
                if any(counts):
                    matched.append(w)
                    tf += sum(WEIGHTS[i] * c for i, c in enumerate(counts))
            if tf:
                score += weight * tf * (K1 + 1) / (tf + norm)
        if score > 0:
            hits.append(Hit(article_id, round(score, 4), tuple(dict.fromkeys(matched))))
    hits.sort(key=lambda h: (-h.score, h.article_id))
    return hits


def score_text(session: Session, query: Query, title: str, body: str) -> Hit | None:
    """A document that is not indexed (an outage's generated article) scored against the same corpus."""
    t, b = words(title), words(body)
    row: Row = (0, " ".join(t), "", " ".join(b), _weighted_length(t, [], b))
    hits = rank(query, [row], _corpus(session, query))
    return hits[0] if hits else None


def count_docs(session: Session) -> int:
    return session.execute(select(func.count()).select_from(KbDoc)).scalar_one()
