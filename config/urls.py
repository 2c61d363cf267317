from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Drink Tables"
admin.site.site_title = "Drink Tables admin"
admin.site.index_title = "Conferences, tables, rounds and people"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("organize/", include("config.organize_urls")),
    path("api/v1/", include("config.api_urls")),
    path("", include("attendees.urls")),
]
