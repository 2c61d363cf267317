"""The site's URLs and error handlers plus one view that fails, to see the real 500 pages."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns


def boom(request):
    raise RuntimeError("a bug with a secret in its message: s3cr3t")


urlpatterns = [
    path("boom/", boom),
    path("api/v1/boom/", boom),
    *urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
