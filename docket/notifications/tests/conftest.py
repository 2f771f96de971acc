import pytest

from docket.notifications.service import caches_clear

from .receiver import start_receiver


@pytest.fixture(autouse=True)
def _fresh_caches(settings, tmp_path):
    settings.DOCKET_SMS_FILE = str(tmp_path / "sms.log")  # never the real var/sms.log
    caches_clear()
    yield
    caches_clear()


@pytest.fixture
def receiver():
    rec, server = start_receiver()
    yield rec
    server.shutdown()
    server.server_close()
