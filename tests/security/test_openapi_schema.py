"""The OpenAPI schema tells the truth: every component name is one schema, and every query
parameter an operation reads is declared."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from ninja import Schema
from ninja.openapi.schema import OpenAPISchema, get_schema

from config.api import api

ROOT = Path(__file__).resolve().parents[2]


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_no_two_schema_classes_share_a_name() -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith(("lifebuoy.", "config.")) and ".tests." not in cls.__module__:
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert clashes == {}


def test_no_component_of_the_generated_schema_is_defined_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ninja keeps the last of two same-named definitions; record each one as it is added."""
    seen: dict[str, list[dict[str, Any]]] = defaultdict(list)
    add = OpenAPISchema.add_schema_definitions

    def recording(self: OpenAPISchema, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            seen[name].append(definition)
        add(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", recording)
    schema = get_schema(api, path_prefix="api/")
    clashes = sorted(name for name, defs in seen.items() if any(d != defs[0] for d in defs))
    assert clashes == []
    assert set(seen) <= set(schema["components"]["schemas"])


def _parameters(path: str, method: str = "get") -> dict[str, dict[str, Any]]:
    schema = get_schema(api, path_prefix="api/")
    operation = schema["paths"][path][method]
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}


def test_the_dashboard_declares_every_filter_it_reads() -> None:
    declared = _parameters("/api/reports/dashboard")
    assert {"period", "tier", "organization", "start", "end"} <= set(declared)
    assert declared["start"]["schema"].get("format") == "date" or any(
        option.get("format") == "date" for option in declared["start"]["schema"].get("anyOf", [])
    )


def _api_modules() -> list[Path]:
    return sorted(p for p in (ROOT / "lifebuoy").rglob("api*.py") if "tests" not in p.parts)


@pytest.mark.parametrize("module", _api_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_api_handlers_read_no_undeclared_query_parameters(module: Path) -> None:
    """``request.GET`` in a handler is a parameter the schema does not know about."""
    tree = ast.parse(module.read_text())
    reads = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in {"GET", "POST"}
        and isinstance(node.value, ast.Name)
        and node.value.id == "request"
    ]
    assert reads == [], f"{module.name} reads request.GET/POST on lines {reads}"


@pytest.mark.django_db
def test_the_dashboard_still_names_each_bad_filter_in_a_422(api: Any, lena: Any) -> None:
    client = api(lena)
    response = client.get("/api/reports/dashboard", {"start": "soon", "tier": "9", "period": "x"})
    assert response.status_code == 422
    assert set(response.json()["extra"]["fields"]) == {"start", "tier", "period"}
    response = client.get(
        "/api/reports/dashboard", {"period": "custom", "start": "2026-11-30", "end": "2026-11-01"}
    )
    assert response.status_code == 422
    assert set(response.json()["extra"]["fields"]) == {"end"}
    ok = client.get("/api/reports/dashboard", {"period": "7d", "tier": "3"})
    assert ok.status_code == 200, ok.content


def test_every_operation_documents_the_error_shape() -> None:
    schema = api.get_openapi_schema(path_prefix="/api/")
    assert set(schema["components"]["schemas"]["ErrorOut"]["required"]) == {
        "code",
        "message",
        "extra",
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            error = operation["responses"].get("4XX")
            assert error is not None, f"{method.upper()} {path} documents no 4XX"
            ref = error["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorOut"


@pytest.mark.django_db
def test_a_method_a_path_does_not_take_is_a_405_in_the_error_shape(api: Any, lena: Any) -> None:
    response = api(lena).put("/api/tickets/1", {}, content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "method_not_allowed"
    assert set(body["extra"]["allowed"]) == {"GET", "PATCH"}
    assert set(response["Allow"].split(", ")) == {"GET", "PATCH"}


@pytest.mark.django_db
def test_a_path_id_that_is_not_an_id_is_a_404_whatever_the_body(api: Any, lena: Any) -> None:
    response = api(lena).put(
        "/api/escalations/tickets/abc/checklist", {}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
