"""The knowledge base (issue 19): articles written as drafts, reviewed by someone else and published; found by
two-character words and by their synonyms; public articles for customers, valid today; versions kept; a
withdrawn article no longer found; attachments; the live outages as generated articles; bad input refused
with nothing changed. On SQLite (FTS5) and PostgreSQL (tsvector + GIN) alike."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from huiyin.clock import now
from huiyin.knowledge import seed, service
from huiyin.knowledge.models import KbDoc, KbStats, KbTerm
from tests.personas import Api, World


@pytest.fixture
def editor(world: World) -> Api:
    return world.persona("qa_kb", "qa_inspector")


@pytest.fixture
def category(editor: Api) -> int:
    top = editor.ok("post", "/kb/categories", {"name": "燃气业务"}, 201)
    return int(editor.ok("post", "/kb/categories", {"name": "安全用气", "parent_id": top["id"]}, 201)["id"])


def article(api: Api, category: int, status: int = 201, **fields: Any) -> Any:
    body = {
        "kind": "procedure",
        "category_id": category,
        "title": "燃气表漏气的处理流程",
        "body": "客户反映燃气表漏气时，坐席应提醒客户立即关闭燃气总阀，开窗通风，不要开关电器，并派发抢修工单。",
        **fields,
    }
    return api.ok("post", "/kb/articles", body, status)


def publish(author: Api, reviewer: Api, article_id: int) -> Any:
    author.ok("post", f"/kb/articles/{article_id}/submit", {})
    return reviewer.ok("post", f"/kb/articles/{article_id}/approve", {"note": "内容准确"})


def hits(api: Api, q: str, path: str = "/kb/search") -> list[Any]:
    r = api.get(path, params={"q": q})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def test_an_article_is_found_by_its_two_character_words_only_once_it_is_published(
    editor: Api, manager: Api, agent: Api, category: int
) -> None:
    a = article(editor, category)
    assert a["state"] == "draft" and a["latest"]["state"] == "draft" and a["live"] is None
    assert hits(agent, "漏气") == []  # a draft is found by no one
    done = publish(editor, manager, a["id"])
    assert done["state"] == "published" and done["live"]["number"] == 1 and done["pending"] is None
    found = hits(agent, "漏气")
    assert [h["id"] for h in found] == [a["id"]]
    assert found[0]["source"] == "article" and "【漏气】" in found[0]["snippet"] and found[0]["score"] > 0
    assert [h["id"] for h in hits(agent, "燃气表漏气了怎么办")] == [a["id"]]
    assert hits(agent, "过户") == []
    assert [e["action"] for e in done["events"]] == ["create", "submit", "approve"]


def test_the_author_does_not_publish_their_own_version_and_a_rejection_says_why(
    manager: Api, world: World, category: int
) -> None:
    other = world.persona("sup_kb", "supervisor")
    a = article(manager, category)
    manager.ok("post", f"/kb/articles/{a['id']}/submit", {})
    r = manager.post(f"/kb/articles/{a['id']}/approve", {})
    assert r.status_code == 403 and "四眼" in r.json()["detail"]
    assert other.post(f"/kb/articles/{a['id']}/reject", {"note": ""}).status_code == 422
    back = other.ok("post", f"/kb/articles/{a['id']}/reject", {"note": "缺少抢修电话"})
    assert back["latest"]["state"] == "draft" and back["latest"]["review_note"] == "缺少抢修电话"
    assert other.post(f"/kb/articles/{a['id']}/approve", {}).status_code == 409  # a draft is not approved
    manager.ok("patch", f"/kb/articles/{a['id']}", {"body": "关闭总阀，开窗通风，拨打抢修电话96777。"})
    assert publish(manager, other, a["id"])["live"]["body"].endswith("96777。")


def test_synonyms_make_one_word_find_the_other_without_reindexing(
    editor: Api, manager: Api, agent: Api, category: int
) -> None:
    a = article(editor, category, title="天然气价格调整说明", body="居民用天然气价格按阶梯计价，第一档每立方米2.52元。")
    publish(editor, manager, a["id"])
    assert hits(agent, "煤气价格") == [] or all(h["id"] != a["id"] for h in hits(agent, "煤气"))
    editor.ok("put", "/kb/synonyms", {"groups": [["燃气", "天然气", "煤气"]]})
    assert editor.ok("get", "/kb/synonyms")["groups"] == [["燃气", "天然气", "煤气"]]
    assert [h["id"] for h in hits(agent, "煤气")] == [a["id"]]
    assert editor.put("/kb/synonyms", {"groups": [["只有一个"]]}).status_code == 422
    assert editor.ok("get", "/kb/synonyms")["groups"] == [["燃气", "天然气", "煤气"]]  # unchanged


def test_customers_find_only_public_articles_valid_today(
    editor: Api, manager: Api, agent: Api, category: int, world: World
) -> None:
    internal = article(editor, category, title="漏气工单的内部派单规则", body="漏气工单一律派抢修班组。")
    public = article(editor, category, visibility="public", kind="faq", variants=["家里有燃气味怎么办"])
    today = now().date()
    expired = article(
        editor,
        category,
        visibility="public",
        title="旧版漏气告知书",
        body="漏气时请拨打旧热线。",
        valid_from=str(today - timedelta(days=60)),
        valid_to=str(today - timedelta(days=1)),
    )
    for a in (internal, public, expired):
        publish(editor, manager, a["id"])
    anonymous = world.client
    r = anonymous.get("/api/v1/kb/public/search", params={"q": "漏气"})
    assert r.status_code == 200
    assert [h["id"] for h in r.json()["items"]] == [public["id"]]
    assert {h["id"] for h in hits(agent, "漏气")} == {internal["id"], public["id"], expired["id"]}
    assert anonymous.get(f"/api/v1/kb/public/articles/{public['id']}").json()["title"] == public["title"]
    for hidden in (internal, expired):
        assert anonymous.get(f"/api/v1/kb/public/articles/{hidden['id']}").status_code == 404


def test_a_new_version_replaces_the_old_in_search_and_the_old_one_is_kept(
    editor: Api, manager: Api, agent: Api, category: int
) -> None:
    a = article(editor, category, title="欠费复电流程", body="缴清电费后二十四小时内复电。")
    publish(editor, manager, a["id"])
    draft = editor.ok(
        "patch", f"/kb/articles/{a['id']}", {"title": "欠费复气流程", "body": "缴清燃气费后两小时内复气。"}
    )
    assert draft["latest"]["number"] == 2 and draft["pending"] == "draft" and draft["live"]["number"] == 1
    assert [h["id"] for h in hits(agent, "复电")] == [a["id"]]  # the live version is still the first
    assert hits(agent, "复气") == []
    done = publish(editor, manager, a["id"])
    assert [h["id"] for h in hits(agent, "复气")] == [a["id"]] and hits(agent, "复电") == []
    assert [(v["number"], v["state"]) for v in done["versions"]] == [(2, "published"), (1, "superseded")]
    assert done["title"] == "欠费复气流程"


def test_a_withdrawn_article_is_no_longer_found_and_its_words_no_longer_counted(
    editor: Api, manager: Api, agent: Api, category: int, world: World
) -> None:
    a = article(editor, category, title="壁挂炉报装须知", body="壁挂炉报装须提供房产证。")
    publish(editor, manager, a["id"])
    assert manager.post(f"/kb/articles/{a['id']}/archive", {"reason": ""}).status_code == 422
    manager.ok("post", f"/kb/articles/{a['id']}/archive", {"reason": "政策已废止"})
    assert hits(agent, "壁挂炉") == []
    with world.db.session() as s:
        assert s.scalar(select(KbTerm.df).where(KbTerm.term == "壁挂炉")) == 0
        assert s.scalar(select(KbStats.docs)) == 0 and s.scalar(select(KbDoc.article_id)) is None
    manager.ok("post", f"/kb/articles/{a['id']}/restore")
    assert [h["id"] for h in hits(agent, "壁挂炉")] == [a["id"]]


def test_an_attachment_is_kept_byte_for_byte_and_an_oversized_one_is_refused(
    editor: Api, agent: Api, category: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = article(editor, category)
    data = bytes(range(256)) * 4
    r = editor.client.post(
        f"/api/v1/kb/articles/{a['id']}/attachments",
        files={"file": ("安全告知书.pdf", data, "application/pdf")},
        headers=editor.headers,
    )
    assert r.status_code == 201, r.text
    att = r.json()
    got = agent.get(f"/kb/articles/{a['id']}/attachments/{att['id']}")
    assert got.status_code == 200 and got.content == data and "filename*=UTF-8''" in got.headers["content-disposition"]
    monkeypatch.setattr(service, "MAX_ATTACHMENT", 100)
    r = editor.client.post(
        f"/api/v1/kb/articles/{a['id']}/attachments",
        files={"file": ("big.pdf", data, "application/pdf")},
        headers=editor.headers,
    )
    assert r.status_code == 413
    assert [x["id"] for x in agent.ok("get", f"/kb/articles/{a['id']}")["attachments"]] == [att["id"]]


def test_customers_download_a_public_article_s_attachment_and_no_other(
    editor: Api, manager: Api, category: int, world: World
) -> None:
    public = article(editor, category, visibility="public", kind="faq", variants=["燃气安全告知书在哪下载"])
    internal = article(editor, category, title="抢修班组内部联络表", body="内部使用。")
    data = "燃气安全使用告知书".encode() * 50
    atts = {}
    for a in (public, internal):
        r = editor.client.post(
            f"/api/v1/kb/articles/{a['id']}/attachments",
            files={"file": ("告知书.pdf", data, "application/pdf")},
            headers=editor.headers,
        )
        assert r.status_code == 201, r.text
        atts[a["id"]] = r.json()["id"]
    url = f"/api/v1/kb/public/articles/{public['id']}/attachments/{atts[public['id']]}"
    assert world.client.get(url).status_code == 404  # not published yet
    for a in (public, internal):
        publish(editor, manager, a["id"])
    got = world.client.get(url)
    assert got.status_code == 200 and got.content == data and got.headers["x-content-type-options"] == "nosniff"
    listed = world.client.get(f"/api/v1/kb/public/articles/{public['id']}").json()["attachments"]
    assert [x["id"] for x in listed] == [atts[public["id"]]]
    hidden = f"/api/v1/kb/public/articles/{internal['id']}/attachments/{atts[internal['id']]}"
    assert world.client.get(hidden).status_code == 404  # an internal article's
    crossed = f"/api/v1/kb/public/articles/{public['id']}/attachments/{atts[internal['id']]}"
    assert world.client.get(crossed).status_code == 404  # another article's attachment by a public article's path


def test_a_live_outage_is_found_as_a_generated_article(dispatcher: Api, agent: Api, world: World) -> None:
    o = dispatcher.ok(
        "post",
        "/outages",
        {
            "kind": "unplanned",
            "utility": "gas",
            "area_ids": [world.area_a.id],
            "cause": "中压管道抢修",
            "starts_at": now().isoformat(),
            "eta": (now() + timedelta(hours=3)).isoformat(),
            "unit_id": world.station_a.id,
        },
        201,
    )
    found = [h for h in hits(agent, "龙溪停气") if h["source"] == "outage"]
    assert [h["id"] for h in found] == [o["id"]]
    page = agent.ok("get", f"/kb/outages/{o['id']}")
    assert "停气" in page["title"] and "中压管道抢修" in page["body"]
    assert agent.get("/kb/outages/999999").status_code == 404


def test_bad_input_is_refused_and_changes_nothing(editor: Api, agent: Api, category: int) -> None:
    before = editor.ok("get", "/kb/articles")["total"]
    assert article(agent, category, status=403)
    assert (
        editor.post("/kb/articles", {"kind": "poem", "category_id": category, "title": "x", "body": "y"}).status_code
        == 422
    )
    assert (
        editor.post("/kb/articles", {"kind": "faq", "category_id": 99999, "title": "x", "body": "y"}).status_code == 404
    )
    r = editor.post(
        "/kb/articles",
        {
            "kind": "faq",
            "category_id": category,
            "title": "x",
            "body": "y",
            "valid_from": "2026-12-07",
            "valid_to": "2026-12-01",
        },
    )
    assert r.status_code == 422
    assert (
        editor.post("/kb/articles", {"kind": "faq", "category_id": category, "title": "", "body": "y"}).status_code
        == 422
    )
    assert agent.get("/kb/search", params={"q": ""}).status_code == 422
    assert agent.get("/kb/search", params={"q": "x" * 201}).status_code == 422
    assert editor.ok("get", "/kb/articles")["total"] == before
    script = article(editor, category, title="<script>alert(1)</script>漏气", body="<b>漏气</b>")
    assert editor.ok("get", f"/kb/articles/{script['id']}")["title"] == "<script>alert(1)</script>漏气"  # as text


def test_the_seeded_faq_loads_once_and_answers_by_its_variants(world: World, agent: Api) -> None:
    with world.db.session() as s:
        added = seed.do_load_faq(s)
        s.commit()
    assert added >= 90
    with world.db.session() as s:
        assert seed.do_load_faq(s) == 0
        s.commit()
    titles = [h["title"] for h in hits(agent, "过户")]
    assert titles and "过户" in titles[0]
    assert hits(agent, "过户", "/kb/public/search")
