"""The REST API, version 1 (django-ninja). Routers live in `routers/`; handlers only parse, check access
and call the same services as the web pages."""

from ninja import NinjaAPI

api = NinjaAPI(title="Docket API", version="1.0.0", urls_namespace="api-v1")
