"""Helpers for the browser tests (Playwright's sync API)."""
from pathlib import Path

from tests.factories import PASSWORD

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def watch_errors(page) -> list[str]:
    """Collect the page's script errors and console errors (CSP violations among them)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    return errors


def register(page, username: str, password: str = PASSWORD) -> None:
    """Create an account through the /register form (which signs the person in)."""
    page.goto("/register")
    page.fill("#f-username", username)
    page.fill("#f-email", f"{username}@example.com")
    page.fill("#f-password", password)
    page.fill("#f-password_confirm", password)
    page.get_by_role("button", name="Create account").click()


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the /login form."""
    from playwright.sync_api import expect  # imported here: the tests skip without it

    page.goto("/login")
    page.fill("#f-login", username)
    page.fill("#f-password", password)
    page.locator("#main").get_by_role("button", name="Sign in").click()
    expect(page.locator(".nav-username")).to_have_text(username)


def axe_violations(page, axe_path) -> list[dict]:
    """Run axe-core on the page: all the violations it finds, each with an impact."""
    page.add_script_tag(path=str(axe_path))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def is_serious(violation: dict) -> bool:
    """Whether a violation fails the test (moderate and minor ones are reported only)."""
    return violation.get("impact") in SERIOUS


def describe(violations: list[dict], where: str) -> list[str]:
    """One readable block per violation: rule, impact, help text and the elements hit."""
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"])
        lines.append(f"[{where}] {v['id']} ({v['impact']}): {v['help']}\n"
                     f"    {v.get('helpUrl', '')}\n    targets: {targets}")
        for node in v["nodes"][:3]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    - {node['html'][:160]}\n      {summary[:300]}")
    return lines
