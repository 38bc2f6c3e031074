"""The composition root: the one place that knows every domain and how they hang together.

``workorders`` publishes its orders' lifecycle; the domains that react subscribe here, in the order they
run (the order is part of the contract, and tested in ``tests/api/test_order_hooks.py``):

1. ``sla``: deadlines start, are met, pause and resume; it adds ``sla_paused`` / ``sla_resumed`` to the
   change's event, so it runs before anyone flushes the event;
2. ``calls``: an order registered during a call is linked to it;
3. ``notify``: the unit's handlers hear of a dispatch, a reassignment, a 催办 or 督办 (it flushes the event
   for its id);
4. ``surveys``: a closed order's contact is asked for a rating by SMS;
5. ``complaints``: a complaint order opens its complaint (grade, repeat), and is not closed without a
   verdict (``closing``);
6. ``channels``: the order's customer, when they bound a WeChat account, gets a template message when it is
   registered and when it is resolved (``channels.notices``);
7. ``outages``: a repair report falls inside a live outage (its router merges it into the master order instead
   of the dispatch rules), nearly matches one (a suggestion), or counts towards a suspected one (fault
   detection); a merge links the report to its outage. Last at registration: the router follows it.

Every process opens its database through ``open_database``, so every session carries these hooks.
"""

from __future__ import annotations

from huiyin.auth.refs import DIRECTORY
from huiyin.bot.refs import MATCHER
from huiyin.calls import listeners as calls_listeners
from huiyin.calls.hooks import INFO_KEY as CALL_HOOKS_KEY
from huiyin.calls.hooks import CallHooks
from huiyin.calls.intake import EventKind
from huiyin.channels import notices as channel_notices
from huiyin.channels import sms as channels_sms
from huiyin.complaints import listeners as complaint_listeners
from huiyin.core import refcache
from huiyin.customers import service as customers_service
from huiyin.db import Database
from huiyin.knowledge.search import SYNONYMS
from huiyin.notify import orders as notify_orders
from huiyin.notify import service as notify_service
from huiyin.org.refs import ORG
from huiyin.outages import listeners as outage_listeners
from huiyin.outages.notice import DELIVERY_COUNTS_KEY
from huiyin.outages.refs import OUTAGES
from huiyin.quality import service as quality_service
from huiyin.settings import Settings
from huiyin.sla import listeners as sla_listeners
from huiyin.sla.refs import POLICIES
from huiyin.surveys import ivr as survey_ivr
from huiyin.surveys import listeners as survey_listeners
from huiyin.surveys.invitations import UNCLAIMED_SMS_KEY
from huiyin.workorders.hooks import INFO_KEY, OrderHooks
from huiyin.workorders.refs import CATALOG

SNAPSHOTS = (CATALOG, ORG, POLICIES, DIRECTORY, OUTAGES, SYNONYMS, MATCHER)
"""The reference data every process keeps (``core.refcache``)."""


def order_hooks(settings: Settings) -> OrderHooks:
    hooks = OrderHooks()
    sla_listeners.subscribe(hooks)
    calls_listeners.subscribe(hooks)
    notify_orders.subscribe(hooks, settings.notify)
    survey_listeners.subscribe(hooks, settings.surveys, settings.secret_key)
    complaint_listeners.subscribe(hooks, settings.timezone)
    channel_notices.subscribe(hooks, settings)
    outage_listeners.subscribe(hooks, settings.outages)
    return hooks


def call_hooks() -> CallHooks:
    """What reacts to a call: a stored recording is queued for quality's analysis."""
    hooks = CallHooks()
    hooks.on_recorded("quality", quality_service.on_recorded)
    return hooks


def cti_event_kinds(settings: Settings) -> dict[str, EventKind]:
    """The PBX's events that other domains take, by the event's name: the IVR's rating key press after a call
    (``{"event": "rating", "callId", "digit": "1" | "2" | "3"}``) is the surveys'."""
    return {"rating": survey_ivr.rating_event(settings.timezone, settings.surveys.care_hours)}


def open_database(settings: Settings) -> Database:
    """The database with this application's order hooks, its reference cache, and notify's sinks and wakers,
    in every session's ``info``: the process-wide state an app has lives on its database (and so on the
    app), not in modules."""
    cache = refcache.RefCache(SNAPSHOTS)
    info = {
        INFO_KEY: order_hooks(settings),
        CALL_HOOKS_KEY: call_hooks(),
        refcache.CACHE_KEY: cache,
        customers_service.AREA_COUNTS_KEY: customers_service.AreaCounts(),
        **notify_service.session_info(),
        UNCLAIMED_SMS_KEY: (channels_sms.taker(settings),),
        DELIVERY_COUNTS_KEY: (channel_notices.announcement_counts,),
    }
    db = Database(settings, session_info=info)
    refcache.install([db.writer, db.reader], cache)
    return db
