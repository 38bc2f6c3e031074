"""Notifications: mine, read, acknowledge; and the WebSocket that pushes them (``/api/v1/ws``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from huiyin.auth.service import credential_fingerprint, find_token
from huiyin.core.deps import AdminUser, CurrentUser, SessionDep, bearer_token
from huiyin.core.schemas import MAX_ID, PathId
from huiyin.db import Database
from huiyin.notify import service
from huiyin.notify.channels import channels_off
from huiyin.notify.hub import Hub
from huiyin.notify.models import Notification
from huiyin.notify.schemas import ChannelsPublic, NotificationPublic, NotificationsPublic, ReadIn, ReadOut
from huiyin.settings import Settings
from huiyin.workorders.service import visible_order_condition

router = APIRouter(tags=["notifications"])
ws_router = APIRouter(tags=["notifications"])


@router.get("/notifications", operation_id="notifications-list")
async def list_notifications(
    session: SessionDep,
    user: CurrentUser,
    unacked: Annotated[bool, Query(description="only those waiting for an acknowledgement")] = False,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID, description="older than this id (paging)")] = None,
) -> NotificationsPublic:
    """The signed-in user's notifications, newest first."""
    visible = visible_order_condition(session, user, Notification.order_id)  # they follow the order
    rows = service.notifications_of(
        session, user.id, unacked=unacked, unread=unread, limit=limit, before=before, visible=visible
    )
    unread_n, unacked_n = service.counts_of(session, user.id, visible)
    items = [NotificationPublic.model_validate(service.notification_data(n)) for n in rows]
    return NotificationsPublic(items=items, unread=unread_n, unacked=unacked_n)


@router.get("/notifications/channels", operation_id="notifications-channels")
async def channels(request: Request, _: AdminUser) -> ChannelsPublic:
    """Which ways out this installation has: a channel that is not configured (no gateway URL, no SMTP host)
    is off, and its messages are marked skipped rather than sent or retried (the admin pages say so)."""
    settings: Settings = request.app.state.settings
    off = set(channels_off(settings.notify))
    return ChannelsPublic(sms=("sms" not in off), voice=("voice" not in off), email=("email" not in off))


@router.post("/notifications/{notification_id}/ack", operation_id="notifications-ack")
async def ack(notification_id: PathId, session: SessionDep, user: CurrentUser) -> NotificationPublic:
    """Acknowledges one of my notifications (again: no change). Every open tab of mine closes its popup."""
    n = service.do_ack(session, user.id, notification_id, visible_order_condition(session, user, Notification.order_id))
    return NotificationPublic.model_validate(service.notification_data(n))


@router.post("/notifications/read", operation_id="notifications-read")
async def mark_read(body: ReadIn, session: SessionDep, user: CurrentUser) -> ReadOut:
    return ReadOut(changed=service.do_read(session, user.id, body.ids))


def origin_allowed(origin: str | None, host: str | None, allowed: list[str]) -> bool:
    """A browser page may open the socket only from the app's own origin (or one the admin allowed): the
    session cookie would otherwise let any site a signed-in agent visits read their notifications
    (cross-site WebSocket hijacking). Clients that send no Origin (integrations, not browsers) need a token."""
    if origin is None:
        return True
    if origin in allowed:
        return True
    return host is not None and origin.split("://", 1)[-1].rstrip("/") == host


@ws_router.websocket("/ws")
async def socket(ws: WebSocket) -> None:
    """Pushes ``{"type": "notification", "notification": {...}}`` and ``{"type": "acked", "id": n}`` to the
    signed-in user: the session cookie (browsers), or an API or access token in the handshake's
    ``Authorization: Bearer`` header (integrations; ``?token=`` in the URL still works, and the server's
    log redacts it, but a proxy may log URLs). Sends ``{"type": "hello",
    "unacked": n}`` first; answers ``ping`` with ``pong``. ``watch:<topic>`` / ``unwatch:<topic>`` start and
    stop the pushes of a topic the app offers (``app.state.socket_topics``: the wallboard, to the roles that
    may read it), answered ``{"type": "watching", "topic", "ok"}``."""
    settings: Settings = ws.app.state.settings
    db: Database = ws.app.state.db
    hub: Hub = ws.app.state.hub
    if not origin_allowed(ws.headers.get("origin"), ws.headers.get("host"), settings.auth.allowed_origins):
        await ws.close(code=4403, reason="this origin may not open the socket")
        return
    cookie = ws.cookies.get(settings.auth.cookie_name)
    token = bearer_token(ws.headers) or ws.query_params.get("token")
    with db.session(write=False) as s:
        if cookie:
            found = find_token(s, cookie, ("session",))
        elif token:
            found = find_token(s, token, ("access", "api"))
        else:
            found = None
        visible = visible_order_condition(s, found, Notification.order_id) if found is not None else None
        unacked = service.counts_of(s, found.id, visible)[1] if found is not None else 0
    if found is None:
        await ws.close(code=4401, reason="sign in first")
        return
    await ws.accept()
    hub.attach(found.id, ws, found.token_id, credential_fingerprint(found.unit_id, found.role_set))
    try:
        await ws.send_json({"type": "hello", "unacked": unacked})
        while True:
            text = await ws.receive_text()
            if text == "ping":
                await ws.send_text("pong")
            elif text.startswith(("watch:", "unwatch:")):
                verb, _, topic = text.partition(":")
                readers = ws.app.state.socket_topics.get(topic)
                ok = readers is not None and bool(readers & found.role_set)
                if ok and verb == "watch":
                    hub.watch(ws, topic)
                else:
                    hub.unwatch(ws, topic)
                await ws.send_json({"type": "watching" if verb == "watch" else "unwatched", "topic": topic, "ok": ok})
    except WebSocketDisconnect:
        pass
    except RuntimeError:  # the hub closed it (its credential ended) while this waited for the client
        if ws.application_state != WebSocketState.DISCONNECTED:
            raise
    finally:
        hub.detach(found.id, ws)
