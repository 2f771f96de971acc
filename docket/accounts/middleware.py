"""Session limits (R-ORG-4): signed out after `DOCKET_SESSION_IDLE_MINUTES` without a request, and at
most `DOCKET_SESSION_HOURS` after signing in, whatever the activity (0 switches either off).

Cheap on purpose: the session is already loaded for the user; it stores when it started and when it was
last seen, and the last-seen time is written back at most once a minute (not on every request as
SESSION_SAVE_EVERY_REQUEST would), so most requests save nothing. The idle limit is therefore exact to
within a minute.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout

from docket.core import clock

STARTED = "docket_started"
SEEN = "docket_seen"
SEEN_RESOLUTION = 60  # seconds: how stale the stored last-seen time may get before it is written again


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        idle = settings.DOCKET_SESSION_IDLE_MINUTES * 60
        absolute = settings.DOCKET_SESSION_HOURS * 3600
        session = request.session
        if (idle or absolute) and SESSION_KEY in session:
            now = int(clock.now().timestamp())
            started, seen = session.get(STARTED), session.get(SEEN)
            if started is None or seen is None:  # the first request of a new sign-in
                session[STARTED] = started or now
                session[SEEN] = now
            elif (idle and now - seen > idle) or (absolute and now - started > absolute):
                from .views import LOGOUT_REASON

                logout(request)
                request.session[LOGOUT_REASON] = "idle" if idle and now - seen > idle else "expired"
            elif now - seen >= SEEN_RESOLUTION:
                session[SEEN] = now
        return self.get_response(request)
