"""`make run`: the embedded default (SQLite, SqliteHuey) served the way production is — by granian, with DEBUG
off (a mistyped URL is a plain 404, not Django's list of every route) and the static files served by WhiteNoise
from `collectstatic`'s hashed, compressed copies in var/static (`make run` collects them first). Plain HTTP on
127.0.0.1 / localhost (base's default ALLOWED_HOSTS), the development secret key unless DJANGO_SECRET_KEY is
set. `make dev` keeps runserver with DEBUG on (config.settings.dev)."""

from .base import *  # noqa: F403
from .base import MIDDLEWARE, STORAGES

# Right after SecurityMiddleware, as WhiteNoise asks: static files are answered before sessions and the rest.
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
MIDDLEWARE = [
    *MIDDLEWARE[: _security + 1],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[_security + 1 :],
]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
