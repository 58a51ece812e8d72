"""axe-core in the browser tests: run it on a Playwright page and get back what would stop people from using it.

axe-core is vendored under isimedia/tests/vendor/axe-core/ (see its README for the version); only tests use it.

Why ``page.evaluate`` and not ``page.add_script_tag(content=...)``: the portal's Content Security Policy allows
scripts from 'self' only, so an inline <script> tag would be blocked (and the browser fixture fails a test on any CSP
violation). Code that Playwright evaluates goes through the DevTools protocol, which the page's CSP does not govern,
so the page under test keeps exactly the policy it has in production. A context with ``bypass_csp=True`` would also
work, but it switches the policy off for the whole page, and then a page that only works without its CSP would pass.
"""

from pathlib import Path

AXE_SOURCE_PATH = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# What counts as a failure: axe's two highest impacts. "moderate" and "minor" findings are reported by axe too, but
# the bar (and WCAG's hard failures) are the serious and critical ones.
BLOCKING_IMPACTS = ("serious", "critical")

_source: str | None = None


def _axe_source() -> str:
    global _source  # read the 650 kB file once per test run
    if _source is None:
        _source = AXE_SOURCE_PATH.read_text(encoding="utf-8")
    return _source


def inject_axe(page) -> None:
    """Make ``window.axe`` available on ``page`` (again after every navigation), without touching its CSP."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # The UMD bundle assigns window.axe when evaluated as a script in the page's main world.
        page.evaluate(_axe_source())


def axe_results(page, *, disable_rules: tuple[str, ...] = (), selector: str | None = None) -> dict:
    """Run axe on the page (or on ``selector`` inside it) and return its full result object."""
    inject_axe(page)
    options = {"rules": {rule: {"enabled": False} for rule in disable_rules}, "resultTypes": ["violations"]}
    return page.evaluate(
        "([context, options]) => window.axe.run(context || document, options)",
        [selector, options],
    )


def axe_violations(page, *, disable_rules: tuple[str, ...] = (), selector: str | None = None) -> list[dict]:
    """The violations with a serious or critical impact, as axe reports them (id, impact, help, nodes, ...)."""
    results = axe_results(page, disable_rules=disable_rules, selector=selector)
    return [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    """The violations in a form a person can act on: rule, impact, what to do, and the elements it found."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:5]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            if summary:
                lines.append(f"        {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


def assert_accessible(page, *, disable_rules: tuple[str, ...] = (), selector: str | None = None, name: str = ""):
    """Fail with a readable list when axe finds a serious or critical violation on the page."""
    violations = axe_violations(page, disable_rules=disable_rules, selector=selector)
    where = name or page.url
    assert not violations, f"axe found serious or critical violations on {where}:\n{describe(violations)}"
