"""The development-mode demo (``make run``) has no SMS gateway: the self-service site shows the sign-in code on
the page so that a newcomer can sign in; with a gateway, or in any other environment, it never does."""

from __future__ import annotations

import pytest

from huiyin.settings import NotifySettings, Settings
from tests.personas import World


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"env": "dev"})


def test_without_a_gateway_the_demo_shows_the_code_and_it_signs_in(world: World) -> None:
    sent = world.client.post("/api/v1/self/code", json={"phone": "13900001111"}).json()
    assert sent["dev_code"] and len(sent["dev_code"]) == 6
    r = world.client.post("/api/v1/self/login", json={"phone": "13900001111", "code": sent["dev_code"]})
    assert r.status_code == 200 and r.json()["token"]


def test_with_a_gateway_the_code_is_never_shown(world: World, settings: Settings) -> None:
    settings.notify = NotifySettings(sms_url="http://gateway.invalid/sms")  # type: ignore[arg-type]
    assert world.client.post("/api/v1/self/code", json={"phone": "13900002222"}).json()["dev_code"] is None
