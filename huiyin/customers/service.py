"""Customer look-up and upkeep.

Look-up takes what an agent types: a phone number, an account or meter number, a name, or a fragment
of the address ("渝北区", "龙溪"). Fragments of three characters or more go through the trigram index
(SQLite FTS5 ``trigram``, PostgreSQL pg_trgm); shorter ones fall back to a scan.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select, text
from sqlalchemy.orm import Session

from huiyin.core.phones import normalize_phone
from huiyin.customers.models import TAGS, Customer, CustomerPhone, CustomerTag
from huiyin.errors import Conflict, Invalid, NotFound


def get_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist")
    return customer


def check_customer_ref(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise Invalid(f"customer {customer_id} does not exist")
    return customer


def _escape_like(fragment: str) -> str:
    return fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ids_by_phone_or_number(session: Session, q: str, limit: int) -> list[int]:
    digits = normalize_phone(q)
    by_phone = select(CustomerPhone.customer_id).where(CustomerPhone.phone == digits)
    by_number = select(Customer.id).where(or_(Customer.account_no == q, Customer.meter_no == q))
    return list(session.scalars(by_phone.union(by_number).limit(limit)))


def _ids_by_text(session: Session, q: str, limit: int) -> list[int]:
    pattern = f"%{_escape_like(q)}%"
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":  # a range on the binary-collated name index; SQLite's LIKE would scan
        name_cond = and_(Customer.name >= q, Customer.name < q + "\U0010ffff")
    else:  # pg_trgm's GIN index serves prefix patterns
        name_cond = Customer.name.like(f"{_escape_like(q)}%", escape="\\")
    ids = list(session.scalars(select(Customer.id).where(name_cond).order_by(Customer.id).limit(limit)))
    if dialect == "sqlite" and len(q) >= 3 and not any(c in q for c in "%_\\"):
        # FTS5's trigram index serves LIKE only without an ESCAPE clause, hence the guard above.
        sql = text("SELECT rowid FROM customers_fts WHERE address LIKE :p ORDER BY rowid LIMIT :n")
        more = session.scalars(sql, {"p": f"%{q}%", "n": limit})
    else:
        more = session.scalars(
            select(Customer.id).where(Customer.address.like(pattern, escape="\\")).order_by(Customer.id).limit(limit)
        )
    seen = set(ids)
    ids.extend(i for i in more if i not in seen)
    return ids[:limit]


def search_customers(session: Session, q: str, limit: int = 20) -> list[Customer]:
    q = q.strip()
    if not q:
        raise Invalid("type a phone number, account number, name or address fragment")
    compact = normalize_phone(q)
    ids = _ids_by_phone_or_number(session, q, limit) if compact.isdigit() else _ids_by_text(session, q, limit)
    if not ids:
        return []
    rows = session.scalars(select(Customer).where(Customer.id.in_(ids))).all()
    order = {cid: i for i, cid in enumerate(ids)}
    return sorted(rows, key=lambda c: order[c.id])


def check_tags(tags: list[str]) -> list[str]:
    unknown = sorted(set(tags) - set(TAGS))
    if unknown:
        raise Invalid(f"unknown tag(s) {unknown}; allowed: {list(TAGS)}")
    return sorted(set(tags))


def check_account_free(session: Session, account_no: str, *, except_id: int | None = None) -> None:
    found = session.scalar(select(Customer.id).where(Customer.account_no == account_no))
    if found is not None and found != except_id:
        raise Conflict(f"account {account_no} already exists")


def do_set_phones(customer: Customer, phones: list[str]) -> None:
    wanted = list(dict.fromkeys(phones))
    customer.phone_rows = [p for p in customer.phone_rows if p.phone in wanted]
    have = set(customer.phones)
    customer.phone_rows.extend(CustomerPhone(phone=p) for p in wanted if p not in have)


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
