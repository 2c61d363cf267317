"""The client's address, as the rate limits see it."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The address of whoever sent the request.

    With ``NUM_PROXIES`` reverse proxies in front of the app (``DJANGO_NUM_PROXIES``), each
    appends the address it got the request from to X-Forwarded-For, so the client is the entry
    that many places from the end; whatever the client wrote there itself comes before it and
    is never used. With none (the default) the header is ignored: anyone can write it.
    """
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [part.strip() for part in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))] or None
    return request.META.get("REMOTE_ADDR")
