"""The errors' codes: every code the server raises (``HuiyinError(..., code="<domain>.<name>")`` or
``problem(..., code=...)``) has its sentence in both languages in ``web/src/locales/errors/<domain>.json``, a
sentence names only parameters its error carries, and no sentence is left without an error that uses it."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from huiyin.errors import Invalid, problem

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "web" / "src" / "locales" / "errors"
NOT_RAISED = {"http", "pydantic"}  # the web app's own: statuses and validation reasons, not codes
ERRORS = {"HuiyinError", "Invalid", "Conflict", "NotFound", "Forbidden", "Unauthorized", "TooLarge", "problem"}
LANGUAGES = ("zh-CN", "en")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _error_classes() -> set[str]:
    """The error classes and their subclasses anywhere in the package (``TooMany``, ``LinkExpired``…)."""
    names = set(ERRORS)
    trees = [ast.parse(p.read_text()) for p in (ROOT / "huiyin").rglob("*.py")]
    grew = True
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
                    if bases & names:
                        names.add(node.name)
                        grew = True
    return names


def raised() -> dict[str, set[str]]:
    """Each code raised in ``huiyin/``, with the keyword names its raises give (its parameters); a code raised
    with ``**`` keywords takes any."""
    classes = _error_classes()
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "huiyin").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in classes:
                continue
            kw = {k.arg: k.value for k in node.keywords}
            code = kw.get("code")
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                params = {k for k in kw if k and k != "code"}
                if None in kw:
                    params.add("*")
                found.setdefault(code.value, set()).update(params)
    return found


def catalog() -> dict[str, dict[str, dict[str, str]]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(CATALOG.glob("*.json"))}


def test_every_code_raised_has_its_sentence_in_both_languages() -> None:
    words = catalog()
    codes = raised()
    assert "self.code_wrong" in codes and "request.invalid" in codes  # the scan finds what it should
    missing = []
    for code in sorted(codes):
        domain, _, name = code.partition(".")
        entry = words.get(domain, {}).get(name)
        if not re.fullmatch(r"[a-z_]+\.[a-z0-9_]+", code) or entry is None:
            missing.append(code)
            continue
        assert all(entry.get(lang, "").strip() for lang in LANGUAGES), f"{code}: a language is missing"
    assert missing == [], f"codes raised with no sentence in web/src/locales/errors: {missing}"


def test_a_sentence_names_only_parameters_its_error_carries() -> None:
    codes = raised()
    for domain, entries in catalog().items():
        if domain in NOT_RAISED or domain == "request":  # request.invalid's: the validation error's fields
            continue
        for name, entry in entries.items():
            carried = codes.get(f"{domain}.{name}", set())
            for lang in LANGUAGES:
                named = set(PLACEHOLDER.findall(entry[lang]))
                if "*" not in carried:
                    assert named <= carried, f"{domain}.{name} ({lang}) names {named - carried}, not carried"
            zh, en = (set(PLACEHOLDER.findall(entry[lang])) for lang in LANGUAGES)
            assert zh == en, f"{domain}.{name}: the two languages name different parameters"


def test_no_sentence_is_left_without_an_error_that_uses_it() -> None:
    codes = raised()
    unused = [
        f"{domain}.{name}"
        for domain, entries in catalog().items()
        if domain not in NOT_RAISED
        for name in entries
        if f"{domain}.{name}" not in codes
    ]
    assert unused == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_sentence_uses_vue_i18ns_special_characters(lang: str) -> None:
    for domain, entries in catalog().items():
        for name, entry in entries.items():
            text = entry[lang]
            assert not re.search(r"[|@$]", text), f"{domain}.{name}: '|' '@' '$' mean something to vue-i18n"


def test_the_problem_document_carries_the_code_and_the_parameters() -> None:
    body = json.loads(
        problem(401, "Not signed in", "wrong code (2 tries left)", code="self.code_wrong", tries_left=2).body
    )
    assert body["code"] == "self.code_wrong" and body["tries_left"] == 2
    assert Invalid("x", code="a.b", field="f").extra == {"field": "f"}  # the code is not one of the fields
