"""`manage.py api_key_create --name NAME --role ROLE (--office CODE | --company CODE)`: create an
integration's API key and print its token once (only its SHA-256 digest is kept)."""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from docket.accounts.models import Role
from docket.api.services import ApiKeyError, api_key_create
from docket.org.models import Company, Office


class Command(BaseCommand):
    help = "Create an API key for an integration; the token is printed once and cannot be shown again."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="what the integration is, e.g. 12345热线对接")
        parser.add_argument(
            "--role",
            required=True,
            choices=Role.values,
            help="the role the key acts with (office roles need --office, company roles --company)",
        )
        parser.add_argument(
            "--compensation-limit",
            type=Decimal,
            default=None,
            help="yuan this key may approve as compensation (default: none)",
        )
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--office", help="office code, e.g. CYY")
        scope.add_argument("--company", help="company code")

    def handle(self, *args, name, role, office=None, company=None, compensation_limit=None, **options):
        office_obj = company_obj = None
        if office:
            office_obj = Office.objects.select_related("company").filter(code=office).first()
            if office_obj is None:
                raise CommandError(f"没有代码为 {office} 的管理处。")
        else:
            company_obj = Company.objects.filter(code=company).first()
            if company_obj is None:
                raise CommandError(f"没有代码为 {company} 的公司。")
        try:
            key, token = api_key_create(
                actor=None,
                name=name,
                role=role,
                office=office_obj,
                company=company_obj,
                compensation_limit=compensation_limit,
            )
        except ApiKeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"已创建接口密钥“{key.name}”（{key.get_role_display()} · {office_obj or company_obj}）。"
            "密钥只显示这一次，请妥善保存："
        )
        self.stdout.write(token)
