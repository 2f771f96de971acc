import pytest


@pytest.fixture(autouse=True)
def _after_commit_at_once(monkeypatch):
    """Tests run inside a transaction that never commits: what intake defers until the commit (the
    same-issue count, escalation.services._after_commit) runs at once instead (huey is immediate in tests)."""
    from docket.escalation import services

    monkeypatch.setattr(services, "_after_commit", lambda fn: fn())
