"""Customer look-up and upkeep.

Look-up takes what an agent types: a phone number, an account or meter number, a name, or a fragment
of the address ("渝北区", "龙溪"). Fragments of three characters or more go through the trigram index
(SQLite FTS5 ``trigram``, PostgreSQL pg_trgm); shorter ones fall back to a scan.

Digits (after ``normalize_phone``) are looked up as a number, in this order (docs/api.md):

1. exactly: a phone, an account number or a meter number;
2. 3 to 10 digits: phones that start with them (a number typed in part);
3. 4 to 10 digits: mobiles that end with them (手机尾号). For exactly four digits, the usual 尾号, the tail
   hits come before the prefix hits, so that a page of numbers starting with 1391 cannot hide them.

Prefix and tail are each a range on a plain btree index (``phone``, ``phone_rev``: the number reversed),
``>= digits AND < the next digit string``, which SQLite and PostgreSQL both serve from the index under any
collation (SQLite's LIKE would only use it under ``case_sensitive_like``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, and_, bindparam, func, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from huiyin.clock import now
from huiyin.core.actor import Actor
from huiyin.core.fastsql import Prebuilt, ids_in
from huiyin.core.phones import normalize_phone
from huiyin.customers.models import MOBILE, TAGS, Customer, CustomerPhone, CustomerTag
from huiyin.db import tx_memo
from huiyin.errors import Conflict, Forbidden, Invalid, NotFound


def get_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(
            f"customer {customer_id} does not exist", code="customers.no_such_customer", customer_id=customer_id
        )
    return customer


@dataclass(frozen=True)
class CustomerFacts:
    """What an order takes from its customer: name, address, area and service tags (no ORM object)."""

    id: int
    name: str
    address: str
    area_id: int | None
    tags: tuple[str, ...]


def _tags_of_customer(dialect: str) -> Any:
    """The customer's tags in one text, comma-separated (a scalar subquery of the customer's row)."""
    agg = func.string_agg if dialect == "postgresql" else func.group_concat
    return select(agg(CustomerTag.tag, ",")).where(CustomerTag.customer_id == Customer.id).scalar_subquery()


_FACTS = Prebuilt(
    lambda dialect: select(
        Customer.id, Customer.name, Customer.address, Customer.area_id, _tags_of_customer(dialect)
    ).where(Customer.id == bindparam("id"))
)


def customer_facts(session: Session, customer_id: int) -> CustomerFacts | None:
    """One prebuilt query (the tags aggregated in it), held for the rest of the transaction: registration
    and the SLA's policy match ask the same question."""
    held: dict[int, CustomerFacts | None] = tx_memo(session, "customers.facts")
    if customer_id not in held:
        session.flush()  # as session.execute would: this transaction's own changes are in what is read
        row = _FACTS.first(session, {"id": customer_id})
        held[customer_id] = (
            CustomerFacts(row[0], row[1], row[2], row[3], tuple(sorted(t for t in (row[4] or "").split(",") if t)))
            if row is not None
            else None
        )
    return held[customer_id]


def customer_tags(session: Session, customer_id: int) -> tuple[str, ...]:
    """The customer's tags (老年客户, 重点客户 …); none for an unknown id."""
    facts = customer_facts(session, customer_id)
    return facts.tags if facts is not None else ()


def check_customer_facts(session: Session, customer_id: int) -> CustomerFacts:
    facts = customer_facts(session, customer_id)
    if facts is None:
        raise Invalid(
            f"customer {customer_id} does not exist", code="customers.no_such_customer", customer_id=customer_id
        )
    return facts


def check_customer_ref(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise Invalid(
            f"customer {customer_id} does not exist", code="customers.no_such_customer", customer_id=customer_id
        )
    return customer


def _escape_like(fragment: str) -> str:
    return fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


PREFIX_DIGITS = range(3, 11)  # 3 to 10 digits: the start of a number
TAIL_DIGITS = range(4, 11)  # 4 to 10 digits: the end of a mobile (尾号)


def _next_digits(digits: str) -> str | None:
    """The least digit string above every string that starts with ``digits`` ("1239" → "124"); None when
    there is none ("999")."""
    kept = digits.rstrip("9")
    return kept[:-1] + str(int(kept[-1]) + 1) if kept else None


def _range(column: InstrumentedAttribute[str], *, bounded: bool) -> ColumnElement[bool]:
    """``lo <= column < hi`` (``bounded``) or ``lo <= column``: the strings that start with the digits ``lo``
    (see ``_bounds``), as a range on the column's index."""
    at_least = column >= bindparam("lo")
    return and_(at_least, column < bindparam("hi")) if bounded else at_least


def _bounds(digits: str) -> dict[str, str]:
    upper = _next_digits(digits)
    return {"lo": digits} if upper is None else {"lo": digits, "hi": upper}


def _by_phone(bounded: bool) -> Select[int]:
    return (
        select(CustomerPhone.customer_id)
        .where(_range(CustomerPhone.phone, bounded=bounded))
        .order_by(CustomerPhone.phone)
    )


def _by_mobile_tail(bounded: bool) -> Select[int]:
    return (
        select(CustomerPhone.customer_id)
        .where(
            _range(CustomerPhone.phone_rev, bounded=bounded),
            text(MOBILE),  # as the partial index says it, constants and all, so that it may serve
        )
        .order_by(CustomerPhone.phone_rev)
    )


def phones_starting_with(digits: str) -> Select[int]:
    """Customers whose number starts with ``digits``: a range on ``ix_customer_phones_phone``."""
    bounds = _bounds(digits)
    return _by_phone("hi" in bounds).params(bounds)


def mobiles_ending_with(digits: str) -> Select[int]:
    """Customers with a mobile that ends with ``digits``: a range on ``ix_customer_phones_phone_rev``, which
    holds mobiles only (11 digits, a leading 1)."""
    bounds = _bounds(digits[::-1])
    return _by_mobile_tail("hi" in bounds).params(bounds)


# The look-ups of a search, prebuilt (their SQL never changes; the digits, bounds and limit are parameters).
_LIMIT: BindParameter[int] = bindparam("n")
_PREFIX = {b: Prebuilt(_by_phone(b).limit(_LIMIT)) for b in (True, False)}
_TAIL = {b: Prebuilt(_by_mobile_tail(b).limit(_LIMIT)) for b in (True, False)}
_EXACT = Prebuilt(
    select(CustomerPhone.customer_id)
    .where(CustomerPhone.phone == bindparam("digits"))
    .union(select(Customer.id).where(or_(Customer.account_no == bindparam("q"), Customer.meter_no == bindparam("q"))))
    .limit(_LIMIT)
)


def _partial_phone_searches(digits: str) -> list[tuple[Prebuilt, dict[str, str]]]:
    searches = []
    if len(digits) in PREFIX_DIGITS:
        bounds = _bounds(digits)
        searches.append((_PREFIX["hi" in bounds], bounds))
    if len(digits) in TAIL_DIGITS:
        bounds = _bounds(digits[::-1])
        searches.insert(0 if len(digits) == 4 else len(searches), (_TAIL["hi" in bounds], bounds))
    return searches


def _ids_by_phone_or_number(session: Session, q: str, limit: int) -> list[int]:
    digits = normalize_phone(q)
    ids = [r[0] for r in _EXACT.rows(session, {"digits": digits, "q": q, "n": limit})]
    for search, bounds in _partial_phone_searches(digits):
        if len(ids) >= limit:
            break
        seen = set(ids)
        found = dict.fromkeys(r[0] for r in search.rows(session, {**bounds, "n": limit}))
        ids.extend(i for i in found if i not in seen)
    return ids[:limit]


_BY_NAME = {
    # SQLite: a range on the binary-collated name index (its LIKE would scan); PostgreSQL: pg_trgm's GIN
    # index serves prefix patterns
    "sqlite": Prebuilt(
        select(Customer.id)
        .where(Customer.name >= bindparam("q"), Customer.name < bindparam("q_end"))
        .order_by(Customer.id)
        .limit(_LIMIT)
    ),
    "postgresql": Prebuilt(
        select(Customer.id)
        .where(Customer.name.like(bindparam("q_start"), escape="\\"))
        .order_by(Customer.id)
        .limit(_LIMIT)
    ),
}
_ADDRESS_LIKE = Prebuilt(
    select(Customer.id).where(Customer.address.like(bindparam("p"), escape="\\")).order_by(Customer.id).limit(_LIMIT)
)
# SQLite: FTS5's trigram index serves LIKE only without an ESCAPE clause (hence the guard in _ids_by_text)
_ADDRESS_FTS = Prebuilt(text("SELECT rowid FROM customers_fts WHERE address LIKE :p ORDER BY rowid LIMIT :n"))


def _ids_by_text(session: Session, q: str, limit: int) -> list[int]:
    dialect = session.connection().dialect.name
    escaped = _escape_like(q)
    params = {"q": q, "q_end": q + "\U0010ffff", "q_start": f"{escaped}%", "p": f"%{escaped}%", "n": limit}
    by_address = _ADDRESS_LIKE
    if dialect == "sqlite" and len(q) >= 3 and not any(c in q for c in "%_\\"):
        by_address, params["p"] = _ADDRESS_FTS, f"%{q}%"
    ids = [r[0] for r in _BY_NAME[dialect].rows(session, params)]
    seen = set(ids)
    ids.extend(r[0] for r in by_address.rows(session, params) if r[0] not in seen)
    return ids[:limit]


@dataclass(frozen=True)
class CustomerView:
    """A customer as the API shows it, read as columns (no ORM object): what a search answers."""

    id: int
    account_no: str
    name: str
    phones: list[str]
    address: str
    area_id: int | None
    meter_no: str | None
    tags: list[str]


def _views_statement(dialect: str) -> Any:
    tags = _tags_of_customer(dialect)
    c = Customer
    return select(c.id, c.account_no, c.name, c.address, c.area_id, c.meter_no, tags).where(ids_in(c.id, "ids"))


_VIEWS = Prebuilt(_views_statement)
_PHONES_OF = Prebuilt(
    select(CustomerPhone.customer_id, CustomerPhone.phone)
    .where(ids_in(CustomerPhone.customer_id, "ids"))
    .order_by(CustomerPhone.id)
)


def customer_views(session: Session, ids: list[int]) -> list[CustomerView]:
    """These customers, in this order: two prebuilt statements (the customers with their tags aggregated,
    then their phones in the order they were added)."""
    if not ids:
        return []
    session.flush()  # as session.execute would: this transaction's own changes are in what is read
    rows = _VIEWS.rows(session, {"ids": ids})
    phones: dict[int, list[str]] = {i: [] for i in ids}
    for customer_id, phone in _PHONES_OF.rows(session, {"ids": ids}):
        phones[customer_id].append(phone)
    found = {
        r[0]: CustomerView(
            r[0], r[1], r[2], phones[r[0]], r[3], r[4], r[5], sorted((r[6] or "").split(",")) if r[6] else []
        )
        for r in rows
    }
    return [found[i] for i in ids if i in found]


def search_customers(session: Session, q: str, limit: int = 20) -> list[CustomerView]:
    q = q.strip()
    if not q:
        raise Invalid("type a phone number, account number, name or address fragment", code="customers.search_empty")
    compact = normalize_phone(q)
    session.flush()  # the look-ups are prebuilt statements, which do not flush as session.execute would
    ids = _ids_by_phone_or_number(session, q, limit) if compact.isdigit() else _ids_by_text(session, q, limit)
    return customer_views(session, ids)


def check_tags(tags: list[str]) -> list[str]:
    unknown = sorted(set(tags) - set(TAGS))
    if unknown:
        raise Invalid(f"unknown tag(s) {unknown}; allowed: {list(TAGS)}", code="customers.unknown_tags")
    return sorted(set(tags))


def check_account_free(session: Session, account_no: str, *, except_id: int | None = None) -> None:
    found = session.scalar(select(Customer.id).where(Customer.account_no == account_no))
    if found is not None and found != except_id:
        raise Conflict(f"account {account_no} already exists", code="customers.account_taken", account_no=account_no)


def do_set_phones(customer: Customer, phones: list[str]) -> None:
    wanted = list(dict.fromkeys(phones))
    customer.phone_rows = [p for p in customer.phone_rows if p.phone in wanted]
    have = set(customer.phones)
    customer.phone_rows.extend(CustomerPhone(phone=p) for p in wanted if p not in have)


KEPT_TAGS = {"repeat_complainant": frozenset({"supervisor", "director", "admin"})}
"""Tags only some roles take off: 多次投诉 is set by the complaints domain and removed by a supervisor, not
by time and not by whoever edits the customer."""


def check_tag_change(user: Actor, before: Sequence[str], after: Sequence[str]) -> None:
    for tag in set(before) - set(after):
        roles = KEPT_TAGS.get(tag)
        if roles is not None and not user.has(*roles):
            detail = f"the tag {tag!r} is removed only by: {', '.join(sorted(roles))}"
            if tag == "repeat_complainant":
                raise Forbidden(detail, code="customers.repeat_complainant_kept")
            raise Forbidden(detail, code="customers.tag_kept")


def do_set_tags(customer: Customer, tags: list[str]) -> None:
    wanted = check_tags(tags)
    customer.tag_rows = [t for t in customer.tag_rows if t.tag in wanted]
    have = set(customer.tags)
    customer.tag_rows.extend(CustomerTag(tag=t) for t in wanted if t not in have)


def do_create_customer(
    session: Session,
    *,
    account_no: str,
    name: str,
    phones: list[str],
    address: str = "",
    area_id: int | None = None,
    meter_no: str | None = None,
    tags: list[str] | None = None,
) -> Customer:
    check_account_free(session, account_no)
    customer = Customer(account_no=account_no, name=name, address=address, area_id=area_id, meter_no=meter_no)
    do_set_phones(customer, phones)
    do_set_tags(customer, tags or [])
    session.add(customer)
    session.flush()
    return customer


def do_add_tag(session: Session, customer_id: int, tag: str) -> bool:
    """Tags a customer (a repeat complaint tags them 多次投诉); False when the tag was there already."""
    check_tags([tag])
    found = session.get(CustomerTag, (customer_id, tag))
    if found is not None:
        return False
    session.add(CustomerTag(customer_id=customer_id, tag=tag))
    return True


AREA_COUNTS_KEY = "customers.area_counts"
"""Where a process keeps its customer counts per area (``AreaCounts``, put in every session's ``info`` by
``huiyin.wiring``)."""


@dataclass
class AreaCounts:
    """The customer counts per area, kept by the process for ``max_age``: the denominator of a complaint rate
    per 10,000 customers need not be to the minute, and counting a million customers takes 50–100 ms."""

    max_age: timedelta = timedelta(minutes=10)
    at: datetime | None = None
    counts: dict[int | None, int] = field(default_factory=dict)


def customers_by_area(session: Session) -> dict[int | None, int]:
    """How many customers each service area has (None: no area): one grouped query on the area index, or
    the process's counts when at most ``AreaCounts.max_age`` old."""
    held: AreaCounts | None = session.info.get(AREA_COUNTS_KEY)
    at = now()
    if held is not None and held.at is not None and timedelta(0) <= at - held.at < held.max_age:
        return held.counts
    stmt = select(Customer.area_id, func.count()).group_by(Customer.area_id)
    counts = {area: int(n) for area, n in session.execute(stmt)}
    if held is not None:
        held.at, held.counts = at, counts
    return counts


@dataclass(frozen=True)
class Reachable:
    """A customer as a notice needs them: their first mobile (None: no mobile) and tags."""

    id: int
    name: str
    area_id: int | None
    mobile: str | None
    tags: tuple[str, ...]


def _reachable(session: Session, rows: Sequence[Any]) -> list[Reachable]:
    """(id, name, area_id) rows with each customer's first mobile and tags (two queries)."""
    ids = [r.id for r in rows]
    if not ids:
        return []
    mobiles: dict[int, str] = {}
    phones = select(CustomerPhone.customer_id, CustomerPhone.phone).where(
        CustomerPhone.customer_id.in_(ids), text(MOBILE)
    )
    for cid, phone in session.execute(phones.order_by(CustomerPhone.id)):
        mobiles.setdefault(cid, phone)
    tagged: dict[int, list[str]] = {}
    tags = select(CustomerTag.customer_id, CustomerTag.tag).where(CustomerTag.customer_id.in_(ids))
    for cid, tag in session.execute(tags.order_by(CustomerTag.tag)):
        tagged.setdefault(cid, []).append(tag)
    return [Reachable(r.id, r.name, r.area_id, mobiles.get(r.id), tuple(tagged.get(r.id, ()))) for r in rows]


def _with_tags(tags: Sequence[str]) -> ColumnElement[bool]:
    return Customer.id.in_(select(CustomerTag.customer_id).where(CustomerTag.tag.in_(list(tags))))


def customers_in_areas(
    session: Session, area_ids: Sequence[int], *, after_id: int = 0, limit: int = 2_000, tags: Sequence[str] = ()
) -> list[Reachable]:
    """The customers of these areas with an id above ``after_id``, by id, ``limit`` at most (a batch of a
    notice to every customer of an outage's areas); with ``tags``, only those who have one of them."""
    if not area_ids:
        return []
    stmt = select(Customer.id, Customer.name, Customer.area_id).where(
        Customer.area_id.in_(list(area_ids)), Customer.id > after_id
    )
    if tags:
        stmt = stmt.where(_with_tags(tags))
    return _reachable(session, session.execute(stmt.order_by(Customer.id).limit(limit)).all())


def reachable(session: Session, ids: Sequence[int]) -> list[Reachable]:
    """These customers as a notice needs them (the WeChat followers bound to them: ``channels.notices``)."""
    if not ids:
        return []
    stmt = select(Customer.id, Customer.name, Customer.area_id).where(Customer.id.in_(list(ids)))
    return _reachable(session, session.execute(stmt.order_by(Customer.id)).all())


def customers_with_tag(session: Session, tag: str, *, after_id: int = 0, limit: int = 2_000) -> list[Reachable]:
    """The customers with ``tag`` above ``after_id``, by id (a one-to-many announcement to a tag)."""
    stmt = select(Customer.id, Customer.name, Customer.area_id).where(_with_tags([tag]), Customer.id > after_id)
    return _reachable(session, session.execute(stmt.order_by(Customer.id).limit(limit)).all())


def count_customers(session: Session, area_ids: Sequence[int] | None = None, tags: Sequence[str] = ()) -> int:
    """How many customers these areas have (all areas: None), with one of ``tags`` when given."""
    stmt = select(func.count()).select_from(Customer)
    if area_ids is not None:
        stmt = stmt.where(Customer.area_id.in_(list(area_ids)))
    if tags:
        stmt = stmt.where(_with_tags(tags))
    return int(session.scalar(stmt) or 0)


def customer_id_by_phone(session: Session, phone: str) -> int | None:
    """The customer one of whose numbers this is (the lowest id when several share it), or None."""
    number = normalize_phone(phone)
    if not number:
        return None
    return session.scalar(
        select(CustomerPhone.customer_id)
        .where(CustomerPhone.phone == number)
        .order_by(CustomerPhone.customer_id)
        .limit(1)
    )
