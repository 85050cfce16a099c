"""The OpenAPI document matches the API's URL conf, is valid OpenAPI 3.1, and has a reading page."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern

from newsrank.api import urls as api_urls
from newsrank.api.openapi import document

# Routes of the API that are about the API, not part of it.
NOT_OPERATIONS = {"openapi", "docs"}


def routes() -> dict[str, list[str]]:
    """Each named API route as an OpenAPI path, with its path parameters."""
    found = {}
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name is None or pattern.name in NOT_OPERATIONS:
            continue  # the catch-all that answers unknown API paths with a JSON 404
        route = str(pattern.pattern)
        path = "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        found[path] = re.findall(r"<(?:\w+:)?(\w+)>", route)
    return found


def test_every_api_route_is_documented_and_nothing_else():
    assert set(document()["paths"]) == set(routes())


def test_path_parameters_match_the_routes():
    for path, names in routes().items():
        parameters = document()["paths"][path]["get"]["parameters"]
        in_path = [p["name"] for p in parameters if p["in"] == "path"]
        assert in_path == names, path


def test_document_is_valid_openapi_3_1():
    from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

    errors = [error.message for error in OPENAPI_31_VALIDATOR.iter_errors(document())]
    assert errors == []


def test_every_reference_resolves():
    doc = document()
    text = repr(doc)
    for section, name in re.findall(r"#/components/(\w+)/(\w+)", text):
        assert name in doc["components"][section], (section, name)


def test_every_operation_documents_its_errors_in_the_error_shape():
    doc = document()
    for path, item in doc["paths"].items():
        responses = item["get"]["responses"]
        assert {"200", "405", "429", "500"} <= set(responses), path
        if "{" in path:
            assert "404" in responses, path
    error = doc["components"]["schemas"]["Error"]["properties"]["error"]
    assert error["required"] == ["status", "message"]
    for code in ("400", "404", "405", "429", "500"):
        content = doc["components"]["responses"][code]["content"]
        assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


@pytest.mark.django_db
def test_openapi_json_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["openapi"] == "3.1.0"
    assert client.post("/api/openapi.json").status_code == 405


@pytest.mark.django_db
def test_docs_page_shows_every_operation_without_script(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    for path in document()["paths"]:
        assert f"<code>{path}</code>" in html
    for name in document()["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert "<script" not in html and " style=" not in html and "<style" not in html
    assert "/static/api/docs.css" in html
    assert 'href="/api/openapi.json"' in html
