from django.contrib import admin
from django.urls import include, path

from organize.views.auth import admin_login

admin.site.site_header = "Drink Tables"
admin.site.site_title = "Drink Tables admin"
admin.site.index_title = "Conferences, tables, rounds and people"

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    # Before the admin's own: its password sign-in shares the staff sign-in limits.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("organize/", include("organize.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("dashboard.urls")),
]
