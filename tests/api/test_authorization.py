"""The authorization suite (issue 14): every endpoint of the OpenAPI document has a row here saying who may
call it, and is called as every role, with no credential and with a revoked one. A new endpoint fails the
suite until it has its row, so none can ship without one.

Rows: ``PUBLIC`` (no credential needed), ``SIGNED_IN`` (any signed-in user), a set of roles (anyone else is
a 403, checked before anything is looked up), ``CTI`` (a CTI integration's own token, not a user),
``GATEWAY`` (the SMS gateway's inbound token), ``SELF`` (a customer's self-service sign-in), or
``ORDER``: an endpoint about one work order, where a user
who may not see the order gets a 404 (no leak of its existence) and the roles for each action come from the
loop's transition table (``workorders/states.py``, tested through the loop in ``test_closed_loop.py`` and
``test_refusals.py``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI

from huiyin.core.roles import Role
from tests.personas import Api, World

PUBLIC, SIGNED_IN, CTI, ORDER = "public", "signed in", "cti token", "order"
GATEWAY = "sms gateway token"
SELF = "self-service token"  # a customer signed in on the self-service site (X-Self-Token), never a staff token
ADMIN = {"admin"}
CONFIG = {"supervisor", "admin"}
MANAGERS = {"duty_manager", "floor_manager", "supervisor", "director"}
CENTRE = {"agent", "dispatcher", "qa_inspector"} | MANAGERS
CENTRE = {"agent", "dispatcher", "qa_inspector", *MANAGERS}
EDITORS = {"agent", *MANAGERS, "admin"}
OUTAGE_WRITERS = {"dispatcher", *MANAGERS}
KB_READERS = {*CENTRE, "admin"}
KB_EDITORS = {"qa_inspector", *MANAGERS, "admin"}
CHAT_HANDLERS = {"agent", *MANAGERS}

TABLE: dict[str, Any] = {
    "health-check": PUBLIC,
    "auth-token": PUBLIC,
    "auth-login": PUBLIC,
    "auth-logout": SIGNED_IN,
    "auth-me": SIGNED_IN,
    "auth-list_users": ADMIN,
    "auth-create_user": ADMIN,
    "auth-sign_ins": ADMIN,
    "auth-unlock_user": ADMIN,
    "auth-update_user": ADMIN,
    "auth-list_api_tokens": ADMIN,
    "auth-create_api_token": ADMIN,
    "auth-revoke_api_token": ADMIN,
    "org-list_units": SIGNED_IN,
    "org-get_unit": SIGNED_IN,
    "org-create_unit": ADMIN,
    "org-update_unit": ADMIN,
    "org-list_areas": SIGNED_IN,
    "org-get_area": SIGNED_IN,
    "org-create_area": ADMIN,
    "org-update_area": ADMIN,
    "org-list_staff": SIGNED_IN,
    "org-create_staff": CONFIG,
    "org-update_staff": CONFIG,
    "complaints-verdict": ORDER,  # the unit's handler or a manager; a review: supervisor, director (test_complaints)
    "complaints-verdicts": ORDER,
    "complaints-root_causes": SIGNED_IN,
    "complaints-analysis": MANAGERS | {"qa_inspector"} | ADMIN,
    "complaints-analysis_export": MANAGERS | {"qa_inspector"} | ADMIN,
    "complaints-summary": MANAGERS | {"qa_inspector"} | ADMIN,
    "complaints-by_month": MANAGERS | {"qa_inspector"} | ADMIN,
    "complaints-rates": MANAGERS | {"qa_inspector"} | ADMIN,
    "complaints-rates_export": MANAGERS | {"qa_inspector"} | ADMIN,
    "surveys-care_tasks_export": {"agent"} | MANAGERS,
    "surveys-survey_page": PUBLIC,
    "surveys-answer": PUBLIC,
    "surveys-questionnaires": MANAGERS | {"qa_inspector"} | ADMIN,
    "surveys-new_questionnaire": {"supervisor", "director"} | ADMIN,
    "surveys-rules": MANAGERS | {"qa_inspector"} | ADMIN,
    "surveys-set_rule": {"supervisor", "director"} | ADMIN,
    "surveys-results": MANAGERS | {"qa_inspector"} | ADMIN,
    "surveys-results_export": MANAGERS | {"qa_inspector"} | ADMIN,
    "surveys-handlers": MANAGERS | {"qa_inspector", "unit_handler"} | ADMIN,
    "surveys-handlers_export": MANAGERS | {"qa_inspector", "unit_handler"} | ADMIN,
    "surveys-handler_history": MANAGERS | {"qa_inspector", "unit_handler"} | ADMIN,
    "surveys-staff": MANAGERS | {"qa_inspector", "unit_handler"} | ADMIN,
    "surveys-staff_export": MANAGERS | {"qa_inspector", "unit_handler"} | ADMIN,
    "surveys-staff_history": MANAGERS | {"qa_inspector", "unit_handler"} | ADMIN,
    "surveys-order_survey": ORDER,  # managers, QA, admin and the order's unit (test_delayed_surveys)
    "auth-unit_handlers": MANAGERS | {"unit_handler"} | ADMIN,
    "auth-list_absences": MANAGERS | {"unit_handler"} | ADMIN,
    "auth-absences_export": MANAGERS | {"unit_handler"} | ADMIN,
    "auth-add_absence": MANAGERS | {"unit_handler"} | ADMIN,  # a handler only their own (test_backups)
    "auth-end_absence": MANAGERS | {"unit_handler"} | ADMIN,
    "complaints-action_done": ORDER,  # the unit's handler or a manager (test_ledger)
    "complaints-actions": MANAGERS | {"unit_handler", "qa_inspector"} | ADMIN,
    "complaints-actions_export": MANAGERS | {"unit_handler", "qa_inspector"} | ADMIN,
    "complaints-commend": ORDER,  # the unit's handler or a manager (test_ledger)
    "complaints-ledger": MANAGERS | {"unit_handler", "qa_inspector"} | ADMIN,
    "complaints-standings": MANAGERS | {"unit_handler", "qa_inspector"} | ADMIN,
    "complaints-standings_export": MANAGERS | {"unit_handler", "qa_inspector"} | ADMIN,
    "complaints-titles": MANAGERS | {"unit_handler", "qa_inspector"} | ADMIN,
    "complaints-titles_export": MANAGERS | {"unit_handler", "qa_inspector"} | ADMIN,
    "complaints-title_rules": MANAGERS | {"unit_handler", "qa_inspector"} | ADMIN,
    "complaints-update_title_rule": {"supervisor", "director"} | ADMIN,
    "customers-search": CENTRE | ADMIN,
    "customers-get": CENTRE | ADMIN,
    "customers-create": EDITORS,
    "customers-update": EDITORS,
    "customers-reveal_phones": CENTRE | ADMIN,  # audited (test_phone_masking)
    "customers-phone_reveals": ADMIN,
    "work-orders-list": SIGNED_IN,  # a unit handler's list holds their unit's orders only (test_closed_loop)
    "work-orders-stats": SIGNED_IN,
    "work-orders-list_categories": SIGNED_IN,
    "work-orders-register": ORDER,
    "work-orders-get": ORDER,
    "work-orders-reveal_contact_phone": ORDER,  # whoever sees the order; audited (test_phone_masking)
    "work-orders-dispatch": ORDER,
    "work-orders-accept": ORDER,
    "work-orders-start": ORDER,
    "work-orders-suspend": ORDER,
    "work-orders-resume": ORDER,
    "work-orders-return": ORDER,
    "work-orders-reassign": ORDER,
    "work-orders-resolve": ORDER,
    "work-orders-callback": ORDER,
    "work-orders-close": ORDER,
    "work-orders-reopen": ORDER,
    "work-orders-urge": ORDER,
    "work-orders-supervise": ORDER,
    "work-orders-upload_attachment": ORDER,
    "work-orders-list_attachments": ORDER,
    "work-orders-get_attachment_content": ORDER,
    "work-orders-callback_queue": {"agent", *MANAGERS},
    "work-orders-create_category": CONFIG,
    "work-orders-update_category": CONFIG,
    "work-orders-list_dispatch_rules": {"dispatcher", *CONFIG},
    "work-orders-create_dispatch_rule": CONFIG,
    "work-orders-update_dispatch_rule": CONFIG,
    "work-orders-delete_dispatch_rule": CONFIG,
    "sla-list_policies": SIGNED_IN,
    "sla-create_policy": CONFIG,
    "sla-update_policy": CONFIG,
    "sla-list_calendars": SIGNED_IN,
    "sla-get_calendar": SIGNED_IN,
    "sla-create_calendar": CONFIG,
    "sla-replace_calendar_days": CONFIG,
    "sla-get_ladder": SIGNED_IN,
    "sla-replace_ladder": CONFIG,
    "sla-board": CENTRE | {"unit_handler"},
    "notifications-list": SIGNED_IN,
    "notifications-ack": SIGNED_IN,
    "notifications-read": SIGNED_IN,
    "notifications-channels": ADMIN,
    "calls-list": CENTRE,
    "calls-get": CENTRE,
    "calls-reveal_number": CENTRE,
    "calls-pop": CENTRE,
    "calls-done": CENTRE,
    "calls-link_order": CENTRE,
    "calls-set_customer": CENTRE,
    "calls-dial": CENTRE,
    "calls-upload_recording": CENTRE,
    "calls-get_recording": CENTRE,
    "channels-wechat_verify": PUBLIC,  # WeChat's signature instead (test_wechat_channel)
    "channels-wechat_message": PUBLIC,
    "channels-list": KB_READERS,
    "channels-get": KB_READERS,
    "channels-reply": CHAT_HANDLERS,
    "channels-accept": CHAT_HANDLERS,
    "channels-transfer": CHAT_HANDLERS,
    "channels-to_bot": CHAT_HANDLERS,
    "channels-close": CHAT_HANDLERS,
    "channels-register": CHAT_HANDLERS,
    "channels-create_wechat": ADMIN,
    "channels-set_wechat_templates": ADMIN,
    "channels-accounts": ADMIN,
    "channels-create_mail": ADMIN,
    "channels-figures": KB_READERS,
    "channels-agents": CHAT_HANDLERS,
    "channels-attachment": KB_READERS,
    "bot-ask": PUBLIC,  # customers ask it, as on the self-service site
    "bot-settings": KB_READERS,
    "bot-save_settings": {*MANAGERS, "admin"},
    "bot-unanswered": KB_READERS,
    "bot-resolve_unanswered": KB_READERS,
    "self-code": PUBLIC,  # rate-limited per number and address (test_selfservice)
    "self-login": PUBLIC,
    "self-me": SELF,
    "self-logout": SELF,
    "self-orders": SELF,
    "self-order": SELF,
    "self-rate": SELF,
    "self-report": SELF,
    "self-outages": SELF,
    "self-chat": SELF,
    "self-chat_send": SELF,
    "knowledge-categories": PUBLIC,  # the tree the self-service site files public articles by
    "knowledge-create_category": KB_EDITORS,
    "knowledge-rename_category": KB_EDITORS,
    "knowledge-list": KB_READERS,
    "knowledge-create": KB_EDITORS,
    "knowledge-get": KB_READERS,
    "knowledge-edit": KB_EDITORS,
    "knowledge-submit": KB_EDITORS,
    "knowledge-approve": KB_EDITORS,  # reviewers only, never the author (test_knowledge)
    "knowledge-reject": KB_EDITORS,
    "knowledge-archive": KB_EDITORS,
    "knowledge-restore": KB_EDITORS,
    "knowledge-attach": KB_EDITORS,
    "knowledge-detach": KB_EDITORS,
    "knowledge-attachment": KB_READERS,
    "knowledge-search": KB_READERS,
    "knowledge-outage_article": PUBLIC,
    "knowledge-public_search": PUBLIC,
    "knowledge-public_article": PUBLIC,
    "knowledge-public_attachment": PUBLIC,  # a public article's only (test_knowledge)
    "knowledge-synonyms": KB_READERS,
    "knowledge-set_synonyms": KB_EDITORS,
    "outages-create": OUTAGE_WRITERS,
    "outages-import": OUTAGE_WRITERS,
    "outages-list": CENTRE,
    "outages-live": CENTRE,
    "outages-get": CENTRE,
    "outages-update": OUTAGE_WRITERS,
    "outages-activate": OUTAGE_WRITERS,
    "outages-restore": OUTAGE_WRITERS,
    "outages-close": OUTAGE_WRITERS,
    "outages-cancel": OUTAGE_WRITERS,
    "outages-merge": ORDER,  # the transition table's merge: dispatchers and managers (test_outages)
    "outages-unmerge": ORDER,
    "outages-suggestions": OUTAGE_WRITERS,
    "outages-accept_suggestion": OUTAGE_WRITERS,
    "outages-dismiss_suggestion": OUTAGE_WRITERS,
    "outages-notice_calls": CENTRE,
    "outages-my_calls": CENTRE,
    "outages-record_call": CENTRE,  # the call's own agent, or a dispatcher or manager (test_outages)
    "outages-count_audience": OUTAGE_WRITERS,
    "outages-announce": OUTAGE_WRITERS,
    "outages-announcements": OUTAGE_WRITERS,
    "quality-call_analysis": CENTRE,
    "quality-call_transcript": MANAGERS | {"qa_inspector"} | ADMIN,
    "quality-forms": CENTRE,
    "quality-form": CENTRE,
    "quality-save_form": {"qa_inspector", "supervisor", "director"} | ADMIN,
    "quality-evaluate": {"qa_inspector", "supervisor"},
    "quality-evaluations": CENTRE,
    "quality-evaluation": CENTRE,
    "quality-appeal": {"agent"},
    "quality-appeals": CENTRE,
    "quality-decide_appeal": {"qa_inspector", "supervisor", "director"},
    "quality-sampling_plan": MANAGERS | {"qa_inspector"},
    "quality-set_sampling_plan": {"qa_inspector", "supervisor", "director"},
    "quality-draw_samples": {"qa_inspector", "supervisor", "director"},
    "quality-samples": MANAGERS | {"qa_inspector"},
    "quality-contact": MANAGERS | {"qa_inspector"},
    "quality-conversation": MANAGERS | {"qa_inspector"},
    "quality-inspectors": MANAGERS | {"qa_inspector"},
    "quality-calibrate": {"qa_inspector", "supervisor", "director"},
    "quality-calibrations": {"qa_inspector", "supervisor", "director"},
    "quality-calibration": {"qa_inspector", "supervisor", "director"},
    "quality-rules": MANAGERS | {"qa_inspector"} | ADMIN,
    "quality-set_thresholds": {"qa_inspector", "supervisor", "director"} | ADMIN,
    "quality-add_phrase": {"qa_inspector", "supervisor", "director"} | ADMIN,
    "quality-update_phrase": {"qa_inspector", "supervisor", "director"} | ADMIN,
    "quality-check_text": CENTRE,
    "quality-results": CENTRE,
    "agents-my_state": CENTRE,
    "agents-set_my_state": CENTRE,
    "agents-board": MANAGERS,
    "cti-event": CTI,
    "ivr-route": MANAGERS | ADMIN,  # and a CTI integration's token (the IVR itself)
    "cti-integrations-list": ADMIN,
    "cti-integrations-create": ADMIN,
    "cti-integrations-update": ADMIN,
    "cti-integrations-revoke": ADMIN,
    "cti-integrations-rotate": ADMIN,
    "surveys-rate": CENTRE,  # and a CTI integration's token (the IVR's key press)
    "surveys-satisfaction": MANAGERS | {"qa_inspector"} | ADMIN,
    "kpis-calls": MANAGERS | {"qa_inspector"} | ADMIN,
    "kpis-orders": MANAGERS | {"qa_inspector"} | ADMIN,
    "kpis-heatmap": MANAGERS | {"qa_inspector"} | ADMIN,
    "kpis-pareto": MANAGERS | {"qa_inspector"} | ADMIN,
    "kpis-warnings": MANAGERS | {"qa_inspector"} | ADMIN,
    "kpis-acknowledge_warning": MANAGERS | ADMIN,
    "kpis-league": MANAGERS | {"qa_inspector"} | ADMIN,
    "kpis-league_export": MANAGERS | {"qa_inspector"} | ADMIN,
    "kpis-league_weights": MANAGERS | {"qa_inspector"} | ADMIN,
    "kpis-set_league_weights": {"supervisor", "director"} | ADMIN,
    "scorecards-month": MANAGERS | {"qa_inspector"} | ADMIN,
    "reports-list": MANAGERS | {"qa_inspector"} | ADMIN,
    "reports-generate": MANAGERS | {"qa_inspector"} | ADMIN,
    "reports-pdf": MANAGERS | {"qa_inspector"} | ADMIN,
    "reports-xlsx": MANAGERS | {"qa_inspector"} | ADMIN,
    "reports-my_subscriptions": MANAGERS | {"qa_inspector"} | ADMIN,
    "reports-set_my_subscriptions": MANAGERS | {"qa_inspector"} | ADMIN,
    "scorecards-mine": CENTRE | ADMIN,
    "scorecards-history": MANAGERS | {"qa_inspector"} | ADMIN,  # anyone's; an agent their own (test_scorecards)
    "scorecards-compute": MANAGERS | ADMIN,
    "scorecards-review": MANAGERS | ADMIN,
    "scorecards-publish": {"supervisor", "director"} | ADMIN,
    "scorecards-template": MANAGERS | {"qa_inspector"} | ADMIN,
    "scorecards-set_template": {"supervisor", "director"} | ADMIN,
    "kpis-wallboard": MANAGERS | {"qa_inspector"} | ADMIN,
    "surveys-satisfaction_export": MANAGERS | {"qa_inspector"} | ADMIN,
    "surveys-sms_inbound": GATEWAY,
    "surveys-ratings": CENTRE,
    "surveys-link": PUBLIC,  # a signed, expiring link from the rating SMS (test_rating_link)
    "surveys-rate_by_link": PUBLIC,
    "surveys-care_tasks": {"agent", *MANAGERS},
    "surveys-finish_care": {"agent", *MANAGERS},  # HUIYIN_SURVEYS__INBOUND_TOKEN (test_rating_sms)
    "ivr-rules-list": MANAGERS | ADMIN,
    "ivr-rules-create": CONFIG,
    "ivr-rules-update": CONFIG,
    "ivr-rules-delete": CONFIG,
}
ROLES = [r.value for r in Role]
NO_SUCH = "999999"  # path ids: a role gate answers before anything is looked up


def _operations(app: FastAPI) -> dict[str, tuple[str, str]]:
    ops = {}
    for path, methods in app.openapi()["paths"].items():
        for method, op in methods.items():
            ops[op["operationId"]] = (method.upper(), path)
    return ops


def _call(api_client: Any, method: str, path: str, headers: dict[str, str] | None = None) -> int:
    url = re.sub(r"\{[^}]+\}", NO_SUCH, path)
    body = None if method in ("GET", "DELETE") else {}
    return int(api_client.request(method, url, headers=headers or {}, json=body).status_code)


@pytest.fixture
def everyone(world: World) -> dict[str, Api]:
    unit = {"unit_handler": world.station_a}
    return {r: world.persona(f"as_{r}", r, unit=unit.get(r)) for r in ROLES}


def test_every_endpoint_has_a_row(app: FastAPI) -> None:
    ops = set(_operations(app))
    assert sorted(ops - set(TABLE)) == [], "endpoints without a row in the authorization table"
    assert sorted(set(TABLE) - ops) == [], "rows for endpoints that are gone"


def test_without_a_credential_or_with_a_revoked_one_everything_but_the_public_is_a_401(
    app: FastAPI, world: World, admin: Api, agent: Api
) -> None:
    token_id = next(t["id"] for t in admin.ok("get", "/api-tokens") if t["user_id"] == agent.id)
    assert admin.delete(f"/api-tokens/{token_id}").status_code == 204
    for op, (method, path) in _operations(app).items():
        if TABLE[op] == PUBLIC:
            continue
        for headers in ({}, agent.headers):  # nothing; the revoked token
            status = _call(world.client, method, path, headers)
            assert status == 401, (op, headers, status)


def test_each_role_outside_an_endpoints_row_gets_a_403_and_each_inside_gets_past_the_gate(
    app: FastAPI, everyone: dict[str, Api]
) -> None:
    wrong = []
    for op, (method, path) in _operations(app).items():
        row = TABLE[op]
        if not isinstance(row, set):
            continue
        for role, api in everyone.items():
            status = _call(api.client, method, path, api.headers)
            if (role in row) == (status in (401, 403)):
                wrong.append((op, role, status))
    assert wrong == []


def test_self_service_endpoints_take_no_staff_credential(app: FastAPI, everyone: dict[str, Api]) -> None:
    for op, (method, path) in _operations(app).items():
        if TABLE[op] != SELF:
            continue
        for role, api in everyone.items():
            assert _call(api.client, method, path, api.headers) == 401, (op, role)


def test_signed_in_endpoints_let_every_role_past_the_gate(app: FastAPI, everyone: dict[str, Api]) -> None:
    for op, (method, path) in _operations(app).items():
        if TABLE[op] != SIGNED_IN or op == "auth-logout":  # (logging out would end the persona's token)
            continue
        for role, api in everyone.items():
            assert _call(api.client, method, path, api.headers) not in (401, 403), (op, role)


def test_a_handler_of_another_unit_gets_a_404_for_every_order_endpoint(
    app: FastAPI, world: World, agent: Api, unit_worker_b: Api
) -> None:
    order = agent.register(customer_id=world.customer_id)  # with station A
    for op, (method, path) in _operations(app).items():
        if TABLE[op] != ORDER or "{order_id}" not in path:
            continue
        url = "/api/v1" + path.removeprefix("/api/v1").replace("{order_id}", str(order["id"]))
        body = None if method == "GET" else BODIES.get(op, {})  # valid: the 404 is about the order, not the body
        if op == "work-orders-upload_attachment":
            png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
            files = {"file": ("a.png", png, "image/png")}
            r = unit_worker_b.client.post(url, headers=unit_worker_b.headers, files=files)
        else:
            r = unit_worker_b.client.request(method, url, headers=unit_worker_b.headers, json=body)
        assert r.status_code == 404, (op, r.status_code, r.text)
    # and what the 404 hides exists: the same calls as the order's own unit get past visibility
    assert agent.get(f"/work-orders/{order['id']}").status_code == 200


BODIES: dict[str, Any] = {
    "complaints-verdict": {"validity": "invalid", "reason": "x", "stage": "other", "root_cause": "other"},
    "complaints-action_done": {"result": "已整改"},
    "outages-merge": {"outage_id": 1},
    "outages-unmerge": {"reason": "与停气无关"},
    "complaints-commend": {"staff_ids": [1]},
    "work-orders-dispatch": {"unit_id": 1},
    "work-orders-reassign": {"unit_id": 1, "reason": "转派"},
    "work-orders-suspend": {"reason": "等待配件"},
    "work-orders-return": {"reason": "不属本单位"},
    "work-orders-resolve": {"result": "已处理"},
    "work-orders-callback": {"result": "satisfied"},
    "work-orders-reopen": {"reason": "客户不满意"},
    "work-orders-urge": {"note": "请尽快"},
    "work-orders-supervise": {"note": "督办"},
}
