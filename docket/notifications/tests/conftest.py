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
def receiver(settings):
    # The local receiver is plain HTTP on 127.0.0.1: both must be allowed explicitly (docs/webhooks.md).
    settings.DOCKET_WEBHOOK_ALLOW_HTTP = True
    settings.DOCKET_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    rec, server = start_receiver()
    yield rec
    server.shutdown()
    server.server_close()
