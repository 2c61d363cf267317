"""Which language a page, an e-mail or a calendar text is in.

Attendee pages: the signed-in person's profile language, else the browser's (Accept-Language,
through Django's LocaleMiddleware), else ``LANGUAGE_CODE``. The profile is loaded where the
attendee pages need it anyway (``dashboard.views.attendee_required``, the API's ``me``
views), which calls ``activate_person_language``, so choosing costs no query of its own.
E-mails and calendar texts go in the recipient's language (``language_of``), whoever sends them;
one the person asked for themselves (a sign-in link) falls back to the language of the page
they asked on when their profile has none.
Organizer pages and the admin stay English (``OrganizerPagesInEnglishMiddleware``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

# The paths of the organizer pages and the admin: English whatever the browser says.
ENGLISH_ONLY_PREFIXES = ("/organize/", "/admin/")


def language_of(person, *, asked_in: str = "") -> str:
    """The language to write to this person in: theirs, else ``asked_in`` (the language of the
    page they asked on, when they asked), else the site's default."""
    return getattr(person, "language", "") or supported_language(asked_in) or settings.LANGUAGE_CODE


def supported_language(code: str | None) -> str:
    """``code`` (``de``, ``de-at``) as one of ``LANGUAGES``, or "" when the site has none."""
    try:
        return translation.get_supported_language_variant(code) if code else ""
    except LookupError:
        return ""


def activate_person_language(request, person) -> None:
    """Use the person's profile language for the rest of this request, if they chose one."""
    if person is not None and person.language and not _english_only(request.path_info):
        translation.activate(person.language)
        request.LANGUAGE_CODE = person.language


def _english_only(path: str) -> bool:
    return path.startswith(ENGLISH_ONLY_PREFIXES)


class OrganizerPagesInEnglishMiddleware:
    """Organizer pages may stay English: the header of base.html and Django's admin strings
    would otherwise follow the browser while the organizer templates do not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _english_only(request.path_info):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)
