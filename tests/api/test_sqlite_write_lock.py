"""SQLite has one write lock for the whole database. While another process (or the embedded worker's
thread) holds it, a writing request waits for it off the event loop: the process goes on answering other
requests, readers included, and the write goes through once the lock is free."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import httpx
import pytest
from fastapi import FastAPI

from huiyin.settings import Settings
from tests.personas import Api, World


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_write_waiting_for_the_lock_leaves_the_loop_free_for_other_requests(
    app: FastAPI, settings: Settings, world: World, agent: Api
) -> None:
    known = agent.register(customer_id=world.customer_id)
    path = settings.database_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    held_for = 1.0

    async def scenario() -> tuple[float, float, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://huiyin") as client:
            body = {
                "type": "repair",
                "category": "RP-GAS-NOGAS",
                "description": "锁等待中的登记",
                "channel": "phone",
                "contact_phone": "13800138000",
                "customer_id": world.customer_id,
            }
            holder.execute("BEGIN IMMEDIATE")  # another process's write transaction
            released = threading.Timer(held_for, holder.execute, args=("ROLLBACK",))
            released.start()
            start = time.monotonic()
            write = asyncio.create_task(client.post("/api/v1/work-orders", json=body, headers=agent.headers))
            await asyncio.sleep(0.1)  # the write is waiting for the lock now
            health = await client.get("/api/v1/health")
            read = await client.get(f"/api/v1/work-orders/{known['id']}", headers=agent.headers)
            answered = time.monotonic() - start
            assert (health.status_code, read.status_code) == (200, 200)
            created = await write
            released.join()
            return answered, time.monotonic() - start, created

    try:
        answered, written, created = asyncio.run(scenario())
    finally:
        holder.close()
    assert answered < held_for / 2, f"the loop was blocked: other requests answered after {answered:.2f} s"
    assert created.status_code == 201, created.text
    assert written >= held_for  # the write did wait for the lock


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_writers_queue_on_a_file_lock_held_from_begin_until_the_connection_is_back(
    settings: Settings, world: World
) -> None:
    """Every writing transaction first takes the queue's lock (``<database>-writers``), so the next writer
    is woken the moment it is let go, not after SQLite's busy handler's next sleep; readers never take it."""
    import fcntl
    import os

    from huiyin.wiring import open_database

    queue = settings.database_url.removeprefix("sqlite:///") + "-writers"
    db = world.db

    def queue_is_free() -> bool:
        fd = os.open(queue, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)

    with db.session(write=False) as s:
        s.connection()
        assert queue_is_free()  # a reader does not queue
    with db.session() as s:
        s.connection()  # BEGIN IMMEDIATE
        assert not queue_is_free()
    assert queue_is_free()  # committed, the connection back in the pool
    other = open_database(settings)  # another process's writer waits its turn, then goes
    try:
        with db.session() as s:
            s.connection()
            released = threading.Timer(0.3, s.commit)
            released.start()
            start = time.monotonic()
            with other.session() as s2:
                s2.connection()
                waited = time.monotonic() - start
            released.join()
    finally:
        other.dispose()
    assert 0.25 <= waited < 5
