"""What a statement costs the server's CPU, run three ways: ``session.execute``, a ``Prebuilt`` statement
(``huiyin/core/prebuilt.py``) and the driver's cursor alone. The same indexed one-row ``SELECT`` of a user,
each way in turn, three rounds; CPU time of this process per statement (the database's own work is in
another process).

    python -m bench.prebuilt_micro --url postgresql://postgres@127.0.0.1:5433/huiyin_cti_bench
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from sqlalchemy import bindparam, create_engine, select
from sqlalchemy.orm import Session

from huiyin.auth.models import User
from huiyin.core.fastsql.prebuilt import Prebuilt
from huiyin.db import normalize_url


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--n", type=int, default=3000, help="statements per way and round")
    a = p.parse_args(argv)
    engine = create_engine(normalize_url(a.url))
    stmt = select(User.id, User.username, User.full_name).where(User.id == bindparam("uid"))
    prebuilt = Prebuilt(stmt)
    with Session(engine) as session:
        uid = session.scalar(select(User.id).order_by(User.id).limit(1))
        cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        compiled = stmt.compile(dialect=engine.dialect)
        sql = compiled.string
        params = {"uid": uid} if not engine.dialect.positional else (uid,)
        ways: dict[str, Callable[[], object]] = {
            "session.execute": lambda: session.execute(stmt, {"uid": uid}).first(),
            "Prebuilt": lambda: prebuilt.first(session, {"uid": uid}),
            "driver cursor": lambda: (cursor.execute(sql, params), cursor.fetchall()),
        }
        for way in ways.values():  # warm up (psycopg prepares a statement on its fifth run)
            for _ in range(200):
                way()
        for round_ in range(1, 4):
            for name, way in ways.items():
                t = time.process_time()
                for _ in range(a.n):
                    way()
                print(f"round {round_}: {name:16} {(time.process_time() - t) / a.n * 1e6:6.1f} µs of CPU per statement")


if __name__ == "__main__":
    main()
