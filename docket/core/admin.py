from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Docket 物业顾客投诉处理系统 · 管理后台")
admin.site.site_title = _("Docket 管理后台")
admin.site.index_title = _("组织、分类与配置")
