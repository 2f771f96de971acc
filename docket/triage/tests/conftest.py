import pytest

from docket.triage import services


@pytest.fixture(autouse=True)
def _fresh_triage_caches():
    """Row ids are reused between tests (rolled back): forget the per-process caches."""
    services._ref_cache.clear()
    services._models.clear()
    yield
    services._ref_cache.clear()
    services._models.clear()
