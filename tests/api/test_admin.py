"""Admin CRUD: users, units, areas, categories and dispatch rules."""

from __future__ import annotations

from tests.personas import Api, World


def test_an_admin_builds_a_unit_tree_and_an_area(world: World, admin: Api) -> None:
    unit = admin.ok(
        "post",
        "/units",
        {"code": "ST-NEW", "name": "新牌坊抢修班", "kind": "station", "parent_id": world.branch.id},
        201,
    )
    assert unit["path"] == f"{world.branch.path}{unit['id']}/"
    area = admin.ok(
        "post",
        "/areas",
        {"code": "A-NEW", "name": "新牌坊网格", "area_type": "urban", "unit_id": unit["id"], "district": "渝北区"},
        201,
    )
    assert area["unit_id"] == unit["id"]
    codes = [u["code"] for u in admin.ok("get", "/units")["items"]]
    assert codes.index("BR-YB") < codes.index("ST-NEW")
    assert admin.post("/units", json={"code": "ST-NEW", "name": "dup"}).status_code == 409
    assert admin.post("/areas", json={"code": "A-X", "name": "x", "unit_id": 999999}).status_code == 422


def test_moving_a_branch_moves_its_stations_paths(world: World, admin: Api) -> None:
    other = admin.ok(
        "post", "/units", {"code": "BR-2", "name": "江北分公司", "kind": "branch", "parent_id": world.company.id}, 201
    )
    admin.ok("patch", f"/units/{world.branch.id}", {"parent_id": other["id"]})
    st = admin.ok("get", f"/units/{world.station_a.id}")
    assert st["path"] == f"/{world.company.id}/{other['id']}/{world.branch.id}/{world.station_a.id}/"
    assert admin.patch(f"/units/{other['id']}", json={"parent_id": world.station_a.id}).status_code == 422


def test_an_admin_creates_a_unit_handler_who_can_then_sign_in(world: World, admin: Api) -> None:
    body = {
        "username": "zhou",
        "password": "gas-station-north-7",
        "roles": ["unit_handler"],
        "unit_id": world.station_b.id,
        "full_name": "周师傅",
    }
    user = admin.ok("post", "/users", body, 201)
    assert user["roles"] == ["unit_handler"]
    tok = world.client.post("/api/v1/auth/token", json={"username": "zhou", "password": "gas-station-north-7"})
    assert tok.status_code == 200
    assert admin.post("/users", json={**body, "username": "wu", "unit_id": None}).status_code == 422
    assert admin.post("/users", json={**body, "roles": ["wizard"]}).status_code == 422
    updated = admin.ok("patch", f"/users/{user['id']}", {"roles": ["unit_handler", "dispatcher"]})
    assert updated["roles"] == ["dispatcher", "unit_handler"]
    listed = admin.ok("get", "/users?role=dispatcher")["items"]
    assert {u["username"] for u in listed} == {"dispatcher", "zhou"}


def test_categories_are_readable_by_all_and_editable_by_admins(world: World, admin: Api, agent: Api) -> None:
    cats = agent.ok("get", "/categories")["items"]
    by_code = {c["code"]: c for c in cats}
    assert by_code["EM-GAS-LEAK"]["type"] == "emergency" and by_code["EM-GAS-LEAK"]["name"] == "燃气泄漏/闻到异味"
    assert {"RP-ELEC-OUTAGE", "SR-ELEC-RECONNECT", "CP-ATTITUDE", "IQ-OUTAGE"} <= set(by_code)
    new = admin.ok(
        "post",
        "/categories",
        {"code": "RP-GAS-ALARM", "name": "报警器故障", "type": "repair", "parent_id": by_code["RP-GAS"]["id"]},
        201,
    )
    assert agent.post("/categories", json={"code": "X", "name": "x", "type": "repair"}).status_code == 403
    admin.ok("patch", f"/categories/{new['id']}", {"is_active": False})
    r = agent.post(
        "/work-orders",
        json={
            "type": "repair",
            "category": "RP-GAS-ALARM",
            "description": "x",
            "channel": "phone",
            "contact_phone": "13800138000",
        },
    )
    assert r.status_code == 422


def test_a_dispatch_rule_for_a_category_and_area_sends_orders_to_its_unit(world: World, admin: Api, agent: Api) -> None:
    cats = {c["code"]: c["id"] for c in agent.ok("get", "/categories")["items"]}
    rule = admin.ok(
        "post",
        "/dispatch-rules",
        {"category_id": cats["CP-QUALITY"], "area_id": world.area_a.id, "unit_id": world.station_b.id},
        201,
    )
    order = agent.register(
        type="complaint", category="CP-QUALITY", description="燃气压力不稳", customer_id=world.customer_id
    )
    assert order["unit_id"] == world.station_b.id
    admin.ok("patch", f"/dispatch-rules/{rule['id']}", {"is_active": False})
    later = agent.register(
        type="complaint", category="CP-QUALITY", description="燃气压力不稳", customer_id=world.customer_id
    )
    assert later["state"] == "registered"
    assert admin.delete(f"/dispatch-rules/{rule['id']}").status_code == 204
    assert admin.delete(f"/dispatch-rules/{rule['id']}").status_code == 404
    assert admin.post("/dispatch-rules", json={"category_id": 999999}).status_code == 422


def test_the_most_specific_rule_wins(world: World, admin: Api, agent: Api) -> None:
    cats = {c["code"]: c["id"] for c in agent.ok("get", "/categories")["items"]}
    admin.ok("post", "/dispatch-rules", {"area_id": world.area_a.id, "unit_id": world.station_b.id}, 201)
    admin.ok(
        "post",
        "/dispatch-rules",
        {"category_id": cats["RP-GAS-NOGAS"], "area_id": world.area_a.id, "unit_id": world.company.id},
        201,
    )
    assert agent.register(customer_id=world.customer_id)["unit_id"] == world.company.id
    meter = agent.register(category="RP-GAS-METER", customer_id=world.customer_id)
    assert meter["unit_id"] == world.station_a.id  # a category rule (repairs → area owner) beats an area-only one
    complaint = agent.register(type="complaint", category="CP-BILLING", customer_id=world.customer_id)
    assert complaint["unit_id"] == world.station_b.id  # only the area rule matches
