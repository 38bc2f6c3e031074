"""The roles of DESIGN section 1 and the groups the permission checks use."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    agent = "agent"
    duty_manager = "duty_manager"
    floor_manager = "floor_manager"
    supervisor = "supervisor"
    director = "director"
    dispatcher = "dispatcher"
    unit_handler = "unit_handler"
    qa_inspector = "qa_inspector"
    admin = "admin"


MANAGERS = frozenset({Role.duty_manager, Role.floor_manager, Role.supervisor, Role.director})
CENTER = frozenset({Role.agent, Role.dispatcher, Role.qa_inspector, *MANAGERS})
"""Roles that see every order of the center (unit handlers see only their unit's)."""

ROLE_NAMES_ZH = {
    Role.agent: "客服代表",
    Role.duty_manager: "当值经理",
    Role.floor_manager: "现场管理",
    Role.supervisor: "业务主管",
    Role.director: "客户服务中心领导",
    Role.dispatcher: "调度",
    Role.unit_handler: "处理单位",
    Role.qa_inspector: "质检员",
    Role.admin: "系统管理员",
}
