import pytest

from docket.core import generations
from docket.triage import services


@pytest.fixture(autouse=True)
def _fresh_triage_caches():
    """Row ids are reused between tests (rolled back): forget the per-process caches."""
    generations.clear()
    services._models.clear()
    yield
    generations.clear()
    services._models.clear()
