"""Helpers for the API tests: a small client wrapper and error-shape checks."""
from tests.factories import PASSWORD

PREFIX = "/api/v1"


def assert_error(response, status: int, code: str | None = None, field: str | None = None):
    """Check the status and the one error shape of API.md; return the error object."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    assert "Traceback" not in response.get_data(as_text=True)
    if code is not None:
        assert error["code"] == code, error
    if field is not None:
        assert field in error["fields"], error
    return error


class Api:
    """Calls /api/v1 with JSON bodies and, for a signed-in user, a bearer token."""

    def __init__(self, client):
        self.client = client
        self._tokens: dict[int, str] = {}

    def token(self, user, password: str = PASSWORD) -> str:
        """A bearer token for `user`, got through POST /auth/token (cached per user)."""
        if user.id not in self._tokens:
            response = self.client.post(
                f"{PREFIX}/auth/token", json={"login": user.username, "password": password}
            )
            assert response.status_code == 200, response.get_json()
            self._tokens[user.id] = response.get_json()["token"]
        return self._tokens[user.id]

    def headers(self, user=None) -> dict:
        return {"Authorization": f"Bearer {self.token(user)}"} if user is not None else {}

    def request(self, method: str, path: str, *, user=None, json=None, **kwargs):
        headers = {**self.headers(user), **kwargs.pop("headers", {})}
        return self.client.open(
            PREFIX + path, method=method, json=json, headers=headers, **kwargs
        )

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)
