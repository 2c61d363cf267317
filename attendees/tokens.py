"""Personal API tokens and calendar subscriptions: create one (its secret is shown once),
reset it, revoke it.

Only the SHA-256 of a secret is stored (``ApiToken.key_hash``, ``CalendarFeed.token_hash``);
``api.authentication`` and ``calendar_feed_person`` look a presented secret up by that hash.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from attendees.models import ApiToken, CalendarFeed, Person, hash_secret
from attendees.services import RATE_WINDOW_S, rate_count
from config.exceptions import ServiceError

KEY_PREFIX = "dt_"
MAX_TOKENS_PER_USER = 20


def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns it with its key, which is never stored."""
    name = name.strip()
    if not name:
        raise ServiceError("Give the token a name, e.g. the script that will use it.", field="name")
    with transaction.atomic():
        # Lock the user's row so two requests at once cannot both pass the limit.
        get_user_model().objects.select_for_update().get(pk=user.pk)
        if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
            raise ServiceError(
                f"You already have {MAX_TOKENS_PER_USER} API tokens, the most allowed; "
                "revoke one you no longer use first."
            )
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[:10], key_hash=hash_secret(key)
        )
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke a token: requests that present its key are refused from now on."""
    token.delete()


# Calendar subscriptions ----------------------------------------------------------------------

FEED_PREFIX = "dtcal_"
FEED_PATH = "/calendar/{token}.ics"
# Longest secret a feed URL may carry; anything longer is no secret of ours (and is not hashed).
FEED_TOKEN_MAX_LENGTH = 100


def calendar_feed_urls(*, token: str, base_url: str) -> dict[str, str]:
    """The subscription's address: ``webcal`` opens a calendar app, ``https`` (or ``http``) is
    for calendars that ask for a web address."""
    https = base_url.rstrip("/") + FEED_PATH.format(token=token)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def calendar_feed_for(*, person: Person) -> CalendarFeed | None:
    """``person``'s calendar subscription, if they made one (its secret is not kept)."""
    return CalendarFeed.objects.filter(person=person).first()


def calendar_feed_create(*, person: Person) -> tuple[CalendarFeed, str]:
    """Make ``person``'s calendar subscription, or reset it: the old URL stops working at once
    and a new one is made. Returns the feed with its secret, which is never stored."""
    if person.deleted_at is not None:
        raise ServiceError("This account is deleted; it has no calendar.")
    token = FEED_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(person=person).delete()
        feed = CalendarFeed.objects.create(
            person=person, prefix=token[:10], token_hash=hash_secret(token)
        )
    return feed, token


def calendar_feed_revoke(*, person: Person) -> bool:
    """Turn ``person``'s calendar subscription off; True when there was one."""
    deleted, _ = CalendarFeed.objects.filter(person=person).delete()
    return bool(deleted)


class FeedRateLimited(ServiceError):
    """A feed read too often, or too many unknown feed secrets from one address."""

    def __init__(self, message: str, *, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s


def calendar_feed_person(*, token: str, ip: str | None) -> Person | None:
    """The person whose calendar subscription ``token`` opens, or None (unknown or revoked).

    The secret is looked up by its hash, so the lookup takes the same path whatever part of
    it is right. Raises ``FeedRateLimited`` when the feed was read more than
    ``CALENDAR_FEED_RATE_PER_FEED`` times this hour, or when the address ``ip`` sent more than
    ``CALENDAR_FEED_BAD_TOKEN_RATE_PER_IP`` unknown secrets this hour and sends another. A good
    secret is never held back by others' bad ones: at a venue, stale subscriptions (links that
    were reset) behind the same address must not stop everyone's calendar. A feed read now is
    marked so (at most once a minute).
    """
    feed = None
    if token and len(token) <= FEED_TOKEN_MAX_LENGTH:
        feed = (
            CalendarFeed.objects.select_related("person")
            .filter(token_hash=hash_secret(token), person__deleted_at__isnull=True)
            .first()
        )
    if feed is None:
        if rate_count(f"calfeed:bad-ip:{ip or 'unknown'}") > (
            settings.CALENDAR_FEED_BAD_TOKEN_RATE_PER_IP
        ):
            raise FeedRateLimited(TOO_MANY_BAD_SECRETS, retry_after_s=RATE_WINDOW_S)
        return None
    if rate_count(f"calfeed:feed:{feed.pk}") > settings.CALENDAR_FEED_RATE_PER_FEED:
        raise FeedRateLimited(TOO_MANY_FEED_READS, retry_after_s=RATE_WINDOW_S)
    now = timezone.now()
    if feed.last_used_at is None or (now - feed.last_used_at).total_seconds() > 60:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.person


TOO_MANY_FEED_READS = (
    "This calendar was read too often in the last hour. Calendar apps read it again by "
    "themselves; try again in an hour."
)
TOO_MANY_BAD_SECRETS = (
    "Too many calendar links that do not work came from your address. Check the link on your "
    "Drink Tables calendar page (a new link replaces the old one), or try again in an hour."
)
