from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Drink Tables"
admin.site.site_title = "Drink Tables admin"
admin.site.index_title = "Conferences, tables, rounds and people"

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("organize/", include("organize.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("dashboard.urls")),
]
