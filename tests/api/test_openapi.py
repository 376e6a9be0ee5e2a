"""The served OpenAPI document: well-formed, complete, and true to the responses."""
import re

import pytest

from forum.api.errors import CATCH_ALL_ENDPOINTS
from forum.services import comments, votes
from tests.api.helpers import PREFIX
from tests.factories import make_answer, make_board, make_thread, make_user, make_voter

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def _resolve(spec, ref: str):
    assert ref.startswith("#/"), ref
    node = spec
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _api_routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint in CATCH_ALL_ENDPOINTS:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule).removeprefix(PREFIX)
        routes.setdefault(path, set()).update(
            m.lower() for m in rule.methods if m not in ("HEAD", "OPTIONS")
        )
    return routes


def test_document_is_well_formed(spec):
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["servers"] == [{"url": PREFIX}]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "A token from POST /auth/token.",
    }
    for ref in set(_refs(spec)):
        assert _resolve(spec, ref) is not None
    operation_ids = []
    for path, item in spec["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for method, operation in item.items():
            assert method in HTTP_METHODS
            operation_ids.append(operation["operationId"])
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (path, method)
            assert any(code.startswith("2") for code in operation["responses"])
            assert operation["security"] in ([{"bearerAuth": []}], [{}, {"bearerAuth": []}])
    assert len(operation_ids) == len(set(operation_ids))


def test_document_passes_openapi_validator(spec):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(spec)


def test_every_route_is_documented_and_nothing_else(app, spec):
    routes = _api_routes(app)
    documented = {path: set(item) for path, item in spec["paths"].items()}
    assert routes == documented


def test_error_schema_documented(spec):
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["required"]) == {"code", "message", "fields"}
    rate_limited = spec["components"]["responses"]["RateLimited"]
    assert "Retry-After" in rate_limited["headers"]


# --- the documented shapes are the returned ones ---------------------------------------

def _check(spec, schema: dict, value, where: str = "$") -> None:
    """A small JSON Schema check for the keywords the document uses."""
    if "$ref" in schema:
        return _check(spec, _resolve(spec, schema["$ref"]), value, where)
    if "oneOf" in schema:
        matches = 0
        for option in schema["oneOf"]:
            try:
                _check(spec, option, value, where)
                matches += 1
            except AssertionError:
                pass
        assert matches == 1, where
        return None
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        python = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
        ok = any(
            (isinstance(value, int) and not isinstance(value, bool)) if t == "integer"
            else isinstance(value, python[t]) for t in types
        )
        assert ok, f"{where}: {value!r} is not {types}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if "minimum" in schema and isinstance(value, int):
        assert value >= schema["minimum"], where
    if isinstance(value, dict) and "properties" in schema:
        assert set(schema.get("required", [])) <= set(value), f"{where}: missing fields"
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(schema["properties"])
            assert not extra, f"{where}: undocumented fields {extra}"
        for key, item in value.items():
            if key in schema["properties"]:
                _check(spec, schema["properties"][key], item, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            _check(spec, schema["items"], item, f"{where}[{n}]")
    return None


def _response_schema(spec, path: str, method: str, status: int) -> dict:
    response = spec["paths"][path][method]["responses"][str(status)]
    return response["content"]["application/json"]["schema"]


def test_responses_match_documented_schemas(api, spec):
    admin = make_user(role="admin")
    asker = make_voter()
    board = make_board()
    thread = make_thread(asker, board, tags=["wifi"])
    answer = make_answer(thread)
    comment = comments.add_comment(asker, answer.id, "A comment")
    comments.add_comment(asker, answer.id, "A reply", comment.id)
    votes.cast_vote(asker, answer.id, 1)

    calls = [
        ("/threads/{thread_id}", "get", 200, api.get(f"/threads/{thread.id}", user=asker)),
        ("/posts/{post_id}", "get", 200, api.get(f"/posts/{answer.id}")),
        ("/boards/{slug}/threads", "get", 200, api.get(f"/boards/{board.slug}/threads")),
        ("/boards", "get", 200, api.get("/boards")),
        ("/users/{username}", "get", 200, api.get(f"/users/{asker.username}")),
        ("/users/{username}/reputation", "get", 200,
         api.get(f"/users/{answer.author.username}/reputation")),
        ("/posts/{post_id}/revisions", "get", 200, api.get(f"/posts/{answer.id}/revisions")),
        ("/me", "get", 200, api.get("/me", user=asker)),
        ("/users", "post", 201, api.post("/users", json={
            "username": "schema", "email": "s@example.com", "password": "long password 1"})),
        ("/auth/token", "post", 200, api.post("/auth/token", json={
            "login": "schema", "password": "long password 1"})),
        ("/boards", "post", 201, api.post("/boards", user=admin, json={
            "slug": "sub", "name": "Sub", "parent": board.slug})),
        ("/threads", "post", 201, api.post("/threads", user=asker, json={
            "board": board.slug, "title": "Another question here", "body": "x" * 40})),
        ("/threads/{thread_id}/answers", "post", 201, api.post(
            f"/threads/{thread.id}/answers", user=admin, json={"body": "y" * 40})),
        ("/threads/{thread_id}/accept", "post", 200, api.post(
            f"/threads/{thread.id}/accept", user=asker, json={"answer_id": answer.id})),
        ("/posts/{post_id}", "patch", 200, api.patch(
            f"/posts/{thread.question.id}", user=asker, json={"body": "z" * 40})),
        ("/posts/{post_id}/comments", "post", 201, api.post(
            f"/posts/{answer.id}/comments", user=admin, json={"body": "Hi"})),
        ("/posts/{post_id}/vote", "post", 200, api.post(
            f"/posts/{answer.id}/vote", user=admin, json={"value": -1})),
    ]
    for path, method, status, response in calls:
        assert response.status_code == status, (path, method, response.get_json())
        _check(spec, _response_schema(spec, path, method, status), response.get_json(),
               f"{method.upper()} {path}")
    error = api.get("/threads/999999")
    _check(spec, {"$ref": "#/components/schemas/Error"}, error.get_json())


def test_thread_and_post_fields_documented_exactly(api, spec):
    thread = make_thread()
    answer = make_answer(thread)
    comments.add_comment(thread.author, answer.id, "A comment")
    schemas = spec["components"]["schemas"]
    body = api.get(f"/threads/{thread.id}").get_json()
    assert set(body) == set(schemas["Thread"]["properties"]) == set(schemas["Thread"]["required"])
    post = body["answers"][0]
    assert set(post) == set(schemas["Post"]["properties"]) == set(schemas["Post"]["required"])
    assert set(post["comments"][0]) == set(schemas["Comment"]["properties"])
    assert set(post["author"]) == set(schemas["Author"]["properties"])
    summary = api.get(f"/boards/{thread.board.slug}/threads").get_json()["items"][0]
    assert set(summary) == set(schemas["ThreadSummary"]["properties"])
    assert set(body) - set(summary) == {"question", "answers"}
