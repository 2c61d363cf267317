"""What attendees do: sign in by e-mail link, RSVP, confirm who they met, manage their profile
and private wishes, take their data and leave.

Every function is keyword-only and raises ``ServiceError`` (or ``Conflict``) with a message for
the attendee when the request cannot be done; ``NotFound`` when the object is not theirs.

Organizers act on people through the functions at the end (``person_edit``,
``attendance_register``, ``attendance_update``, ``attendance_delete``, ``rsvp_record``): they
take the acting user as ``by`` and ids, look everything up in the organizer's scope and apply
the identity rule, ``person_identity_editable_by``.
"""

import logging
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from attendees.emails import InvalidEmail, email_canonical, email_normalize
from attendees.enums import AttendanceRole, EncounterKind, RSVPStatus
from attendees.models import (
    ApiToken,
    Attendance,
    Block,
    CalendarFeed,
    ContactCard,
    ContactOffer,
    EmailChange,
    Encounter,
    LoginLink,
    Person,
    RoundRSVP,
    SitTogether,
    hash_secret,
)
from attendees.selectors.people import (
    attendances_for_organizer,
    person_for_organizer,
    upcoming_conferences_for,
)
from attendees.selectors.search import attendee_of_my_conferences
from attendees.signals import person_erasing
from conferences.enums import PLAN_VISIBLE_STATUSES, RSVP_OPEN_STATUSES, RoundStatus
from conferences.models import DrinkTable, MeetupRound, Topic
from conferences.scoping import (
    conference_by_id_for_organizer,
    organized_conferences,
    organizes_nothing_yet,
    round_for_organizer,
)
from config import caches
from config.db import chunked
from config.exceptions import Conflict, NotFound, ServiceError
from config.i18n import language_of
from config.queue import task_send

logger = logging.getLogger(__name__)

LOGIN_LINK_PATH = "/login/link/{token}/"
RATE_WINDOW_S = 3600


class LoginRateLimited(ServiceError):
    """Too many sign-in links asked for; ``retry_after_s`` says when to try again."""

    def __init__(self, message: str, *, retry_after_s: int):
        super().__init__(message, field="email")
        self.retry_after_s = retry_after_s


# Signing in ------------------------------------------------------------------------------------


def rate_count(key: str) -> int:
    """Count one more request against ``key`` in the current hour; returns the count."""
    cache.add(key, 0, timeout=RATE_WINDOW_S)
    try:
        return cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW_S)
        return 1


def _over_limit(key: str, limit: int) -> bool:
    """Count one more request against ``key`` in the current hour; True once over ``limit``."""
    return rate_count(key) > limit


LOGIN_LINK_LIMITED = gettext_lazy(
    "Too many sign-in links were asked for. Use the last link you received, or try again in "
    "an hour."
)


def _login_link_ip_key(ip: str | None, *, known: bool) -> str:
    return f"loginlink:ip:{'known' if known else 'unknown'}:{ip or 'unknown'}"


def _login_link_ip_limit(ip: str | None, *, known: bool) -> int:
    """The hour's budget of an IP address for registered (``known``) or unknown addresses.

    The unknown budget grows with the registered addresses served from the same IP address
    (``LOGIN_LINK_UNKNOWN_PER_KNOWN`` per link), so the typos of a full venue fit while a
    client spraying guesses stops after a few dozen.
    """
    if known:
        return settings.LOGIN_LINK_RATE_PER_IP_KNOWN
    served_known = cache.get(_login_link_ip_key(ip, known=True)) or 0
    return settings.LOGIN_LINK_RATE_PER_IP_UNKNOWN + int(
        served_known * settings.LOGIN_LINK_UNKNOWN_PER_KNOWN
    )


def _login_link_limits_check(*, email: str, ip: str | None) -> None:
    """Refuse a sign-in link request past a limit, the same way for known and unknown addresses.

    Three limits, all per hour (the reasoning is in docs/security.md): an IP address that used
    up either of its budgets (registered addresses, unknown addresses) is refused whatever it
    asks next; one address is refused past ``LOGIN_LINK_RATE_PER_EMAIL`` whoever asks. Which
    budget a request counts against is decided after this check, so the answer to a request
    never depends on whether its own address is registered.
    """
    for known in (True, False):
        if (cache.get(_login_link_ip_key(ip, known=known)) or 0) >= _login_link_ip_limit(
            ip, known=known
        ):
            raise LoginRateLimited(LOGIN_LINK_LIMITED, retry_after_s=RATE_WINDOW_S)
    if _over_limit(f"loginlink:email:{hash_secret(email)}", settings.LOGIN_LINK_RATE_PER_EMAIL):
        raise LoginRateLimited(LOGIN_LINK_LIMITED, retry_after_s=RATE_WINDOW_S)


def login_link_request(*, email: str, ip: str | None, base_url: str, language: str = "") -> None:
    """E-mail a one-time sign-in link to ``email`` if a person is registered with it, in their
    profile's language, else ``language`` (the page's they asked on).

    The caller cannot tell a registered address from an unknown one: both get the same answer
    and count against the same per-address limit, and the e-mail goes out from a task after
    the commit (from the request itself while the task queue is down).
    Raises ``LoginRateLimited`` after too many requests for the address or from the IP address
    (``_login_link_limits_check``).
    """
    try:
        email = email_normalize(email or "")
        validate_email(email)
    except InvalidEmail as error:
        raise ServiceError(str(error), field="email") from None
    except ValidationError:
        raise ServiceError(
            gettext("Enter your e-mail address, such as ann@example.org."), field="email"
        ) from None
    _login_link_limits_check(email=email, ip=ip)
    now = timezone.now()
    with transaction.atomic():
        # Links that can no longer be used are kept a day for the export, then dropped.
        LoginLink.objects.filter(email=email, expires_at__lt=now - timedelta(days=1)).delete()
        known = Person.objects.filter(email=email, deleted_at__isnull=True).exists()
        _over_limit(_login_link_ip_key(ip, known=known), _login_link_ip_limit(ip, known=known))
        if not known:
            return
        link = LoginLink.objects.create(
            email=email,
            # A placeholder nobody knows: the sending task makes the real secret, so it never
            # travels through the broker.
            token_hash=hash_secret(secrets.token_urlsafe(32)),
            requested_ip=ip or None,
            expires_at=now + timedelta(seconds=settings.LOGIN_LINK_TTL_S),
        )
        transaction.on_commit(
            lambda: _login_link_dispatch(
                link_id=link.pk, base_url=base_url.rstrip("/"), language=language
            ),
            robust=True,
        )


def _login_link_dispatch(*, link_id: int, base_url: str, language: str) -> None:
    """Hand the link to the mail task; if the task queue is down, send it from here: someone is
    waiting for it at the sign-in page, and it expires before any sweep would come by."""
    from attendees.tasks import send_login_link

    job = {"link_id": link_id, "base_url": base_url, "language": language}
    if not task_send(send_login_link, kwargs=job):
        login_link_send(**job)


def login_link_send(*, link_id: int, base_url: str, language: str = "") -> bool:
    """Make the link's secret and e-mail it. Returns False when there is nothing to send.

    Safe to run twice: a link is sent once; if the mail server fails, the link is released
    so a retry sends it with a fresh secret.
    """
    now = timezone.now()
    link = LoginLink.objects.filter(
        pk=link_id, sent_at__isnull=True, used_at__isnull=True, expires_at__gt=now
    ).first()
    if link is None:
        return False
    person = Person.objects.filter(email=link.email, deleted_at__isnull=True).first()
    if person is None:
        return False
    token = secrets.token_urlsafe(32)
    claimed = LoginLink.objects.filter(pk=link.pk, sent_at__isnull=True).update(
        token_hash=hash_secret(token), sent_at=now
    )
    if not claimed:
        return False
    url = base_url.rstrip("/") + LOGIN_LINK_PATH.format(token=token)
    minutes = settings.LOGIN_LINK_TTL_S // 60
    try:
        # The recipient's language; without one, the page's they asked on.
        with translation.override(language_of(person, asked_in=language)):
            subject = gettext("Your Drink Tables sign-in link")
            body = gettext(
                "Hello %(name)s,\n\nOpen this link to sign in to Drink Tables:\n\n%(url)s\n\n"
                "It works once, for %(minutes)s minutes. If you did not ask for it, you can "
                "ignore this e-mail: nobody can sign in without it.\n"
            ) % {"name": person.first_name, "url": url, "minutes": minutes}
        send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[link.email],
        )
    except Exception:
        LoginLink.objects.filter(pk=link.pk).update(sent_at=None)
        raise
    logger.info("sign-in link %s sent", link.pk)
    return True


STAFF_LOGIN_LIMITED = gettext_lazy(
    "Too many failed sign-in attempts. Wait an hour and try again, or ask another organizer "
    "to reset your password."
)


def username_key(username: str) -> str:
    """The form of a username the per-username limit counts: Django's own normalization (NFKC)
    then case-folded, so ``Admin``, ``ADMIN`` and ``Ａｄｍｉｎ`` share one counter."""
    return unicodedata.normalize("NFKC", str(username or "")).strip().casefold()


def _staff_login_keys(*, username: str, ip: str | None) -> list[tuple[str, int]]:
    return [
        (f"stafflogin:ip:{ip or 'unknown'}", settings.STAFF_LOGIN_RATE_PER_IP),
        (
            f"stafflogin:user:{hash_secret(username_key(username))}",
            settings.STAFF_LOGIN_RATE_PER_USERNAME,
        ),
    ]


def staff_login_check(*, username: str, ip: str | None) -> None:
    """Raise ``LoginRateLimited`` once the failed password sign-ins in the last hour reach the
    limit for the username or for the IP address; the password is then not even tried."""
    if any(
        (cache.get(key) or 0) >= limit for key, limit in _staff_login_keys(username=username, ip=ip)
    ):
        raise LoginRateLimited(STAFF_LOGIN_LIMITED, retry_after_s=RATE_WINDOW_S)


def staff_login_failed(*, username: str, ip: str | None) -> None:
    """Count a failed password sign-in against the username and the IP address."""
    for key, limit in _staff_login_keys(username=username, ip=ip):
        _over_limit(key, limit)
    logger.warning("a staff password sign-in failed")


LINK_UNUSABLE = gettext_lazy(
    "This sign-in link has expired or was already used. Enter your e-mail address to get a new one."
)


def login_link_consume(*, token: str) -> AbstractBaseUser:
    """Use up a sign-in link and return the user to sign in, creating it on first use.

    A link works once (a conditional update claims it, so two clicks at once cannot both win)
    and only until it expires.
    """
    now = timezone.now()
    with transaction.atomic():
        link = LoginLink.objects.filter(token_hash=hash_secret(token or "")).first()
        claimed = link is not None and LoginLink.objects.filter(
            pk=link.pk, sent_at__isnull=False, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not claimed:
            raise ServiceError(LINK_UNUSABLE)
        person = (
            Person.objects.select_for_update()
            .filter(email=link.email, deleted_at__isnull=True)
            .first()
        )
        if person is None:
            raise ServiceError(LINK_UNUSABLE)
        user = _user_for(person=person)
        if not user.is_active:
            raise ServiceError(gettext("This account is disabled. Ask the organizers for help."))
    return user


def _user_for(*, person: Person):
    """The person's user: theirs already, an attendee account with their e-mail, or a new one.

    Staff and superuser accounts are never taken over by an e-mail link: they keep their
    password sign-in, and the attendee side gets an account of its own.
    """
    User = get_user_model()
    if person.user_id:
        return person.user
    # Exact comparison of canonical addresses (attendees.emails): a case-insensitive lookup on
    # PostgreSQL would take a look-alike address (``admın@``) for another (``admin@``). One
    # query finds the candidates (iexact may find too many on PostgreSQL) for both questions:
    # an attendee account with this address to take, and a username the new one would clash
    # with; the canonical and normalized forms decide.
    email = email_canonical(person.email)
    username = email[:150]
    found = list(
        User.objects.filter(Q(email__iexact=email) | Q(username__iexact=username))
        .order_by("pk")
        .values_list("pk", "email", "username", "is_staff", "is_superuser", "person__id")
    )
    takeable = next(
        (
            pk
            for pk, address, _, staff, superuser, linked in found
            if not (staff or superuser or linked) and email_canonical(address) == email
        ),
        None,
    )
    user = User.objects.get(pk=takeable) if takeable is not None else None
    if user is None:
        if any(username_key(name) == username_key(username) for _, _, name, *_ in found):
            username = f"person-{person.pk}-{secrets.token_hex(3)}"
        # Made to sign in at once: last_login goes in with the insert (attendees.signals), and
        # the new account organizes nothing (dashboard.views.landing_for).
        user = User(username=username, email=email, last_login=timezone.now())
        user.made_by_this_sign_in = True
        user.set_unusable_password()
        user.save()
        organizes_nothing_yet(user=user)
    person.user = user
    person.save(update_fields=["user"])
    return user


def sessions_end_all(*, user) -> int:
    """Sign the user out on every device (a lost phone), this one included, and revoke every
    API token of theirs: a script holding one is a device too. Returns how many tokens went.

    Attendees have no password, so their unusable one is drawn again: every session's
    authentication hash stops matching. Accounts with a password change it instead.
    """
    if user.has_usable_password():
        raise ServiceError(
            gettext("Your account has a password: change it to sign out on your other devices.")
        )
    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        revoked, _ = ApiToken.objects.filter(user=user).delete()
        # A calendar app holding the subscription URL is a device too.
        CalendarFeed.objects.filter(person__user=user).delete()
    logger.info("user %s signed out everywhere; %s API tokens revoked", user.pk, revoked)
    return revoked


# Changing one's own e-mail address ---------------------------------------------------------------

EMAIL_CHANGE_PATH = "/profile/email/confirm/{token}/"
EMAIL_CHANGE_RATE_PER_PERSON = 5  # an hour
EMAIL_CHANGE_UNUSABLE = gettext_lazy(
    "This confirmation link has expired or was already used. Ask for a new one on your profile."
)


@dataclass(frozen=True)
class EmailChangeRequested:
    new_email: str


def email_change_request(*, person: Person, email: str, base_url: str) -> EmailChangeRequested:
    """The person asks to sign in with ``email`` from now on: a link is sent to that address,
    and the address changes when it is opened (``email_change_confirm``).

    The answer is the same whether or not the address belongs to someone else (that shows
    only to whoever reads the new address's mail, when they confirm). Limited to
    ``EMAIL_CHANGE_RATE_PER_PERSON`` an hour (``LoginRateLimited``).
    """
    if person.deleted_at is not None:
        raise ServiceError(gettext("This account was deleted."))
    try:
        new_email = email_normalize(email or "")
        validate_email(new_email)
    except InvalidEmail as error:
        raise ServiceError(str(error), field="email") from None
    except ValidationError:
        raise ServiceError(
            gettext("Enter an e-mail address, such as ann@example.org."), field="email"
        ) from None
    if new_email == person.email:
        raise ServiceError(gettext("You already sign in with this address."), field="email")
    if _over_limit(f"emailchange:person:{person.pk}", EMAIL_CHANGE_RATE_PER_PERSON):
        raise LoginRateLimited(
            gettext(
                "You asked for several address changes in the last hour: use the last link you "
                "received, or try again in an hour."
            ),
            retry_after_s=RATE_WINDOW_S,
        )
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        EmailChange.objects.filter(person=person, used_at__isnull=True).delete()
        EmailChange.objects.create(
            person=person,
            new_email=new_email,
            token_hash=hash_secret(secret),
            expires_at=timezone.now() + timedelta(seconds=settings.LOGIN_LINK_TTL_S),
        )
        url = base_url.rstrip("/") + EMAIL_CHANGE_PATH.format(token=secret)
        minutes = settings.LOGIN_LINK_TTL_S // 60
        with translation.override(language_of(person)):  # the recipient's language
            subject = gettext("Confirm your new Drink Tables address")
            body = gettext(
                "Hello %(name)s,\n\nOpen this link to sign in to Drink Tables with this address "
                "from now on:\n\n%(url)s\n\nIt works once, for %(minutes)s minutes. If you did "
                "not ask for it, ignore this e-mail: nothing changes.\n"
            ) % {"name": person.first_name, "url": url, "minutes": minutes}
        transaction.on_commit(
            lambda: send_mail(
                subject=subject,
                message=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[new_email],
            ),
            robust=True,
        )
    logger.info("person %s asked to change their e-mail address", person.pk)
    return EmailChangeRequested(new_email=new_email)


def email_change_usable(*, token: str) -> bool:
    return EmailChange.objects.filter(
        token_hash=hash_secret(token or ""), used_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


def email_change_confirm(*, token: str) -> EmailChangeRequested:
    """Use a confirmation link: the person signs in with the new address from now on, on their
    account too; sign-in links still open for the old address stop working."""
    now = timezone.now()
    with transaction.atomic():
        change = (
            EmailChange.objects.select_for_update()
            .select_related("person")
            .filter(token_hash=hash_secret(token or ""), used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if change is None or change.person.deleted_at is not None:
            raise ServiceError(EMAIL_CHANGE_UNUSABLE)
        person = Person.objects.select_for_update().get(pk=change.person_id)
        if Person.objects.filter(email=change.new_email).exclude(pk=person.pk).exists():
            raise Conflict(
                gettext(
                    "Another account signs in with this address. Sign in with it there, or ask "
                    "the organizers to merge the two."
                )
            )
        old_email = person.email
        change.used_at = now
        change.save(update_fields=["used_at"])
        person.email = change.new_email
        person.save(update_fields=["email"])
        if person.user_id is not None:
            get_user_model().objects.filter(pk=person.user_id).update(email=change.new_email)
        LoginLink.objects.filter(email=old_email, used_at__isnull=True).delete()
    logger.info("person %s changed their e-mail address", person.pk)
    return EmailChangeRequested(new_email=change.new_email)


# Rounds ----------------------------------------------------------------------------------------


def rsvp_set(
    *, person: Person, round: MeetupRound, status: str, after_publish: bool = False
) -> RoundRSVP:
    """Say whether the person goes to the round.

    Changes are taken while the round is in ``RSVP_OPEN_STATUSES``: draft, open and matched.
    ``matched`` still takes changes because nobody has been told a table yet: the organizer
    sees the changed RSVPs and runs the matching again before publishing. Once the plan is
    published a change moves seats, so only ``matching.services.live`` (which seats or
    releases the person under the round's lock) passes ``after_publish``. Draft rounds are not
    announced, so attendees cannot answer them here.
    """
    if status not in RSVPStatus.values:
        raise ServiceError(gettext("Answer going or not going."), field="status")
    if person.deleted_at is not None:
        raise ServiceError(gettext("This account was deleted."))
    if not Attendance.objects.filter(person=person, conference_id=round.conference_id).exists():
        raise ServiceError(
            gettext("You can only answer for rounds of conferences you are registered for.")
        )
    if round.status == RoundStatus.DRAFT:
        raise ServiceError(gettext("This round has not been announced yet."))
    if round.status not in RSVP_OPEN_STATUSES and not (
        after_publish and round.status == RoundStatus.PUBLISHED
    ):
        if round.status == RoundStatus.CANCELLED:
            raise Conflict(gettext("This round was cancelled."))
        raise Conflict(
            gettext(
                "The tables for this round are already set, so your answer can no longer change "
                "here. If your plans changed, please tell the organizers."
            )
        )
    try:
        with transaction.atomic():
            rsvp, _ = RoundRSVP.objects.update_or_create(
                person=person, round=round, defaults={"status": status}
            )
    except IntegrityError:  # the first answer from two tabs at once: the row exists now
        rsvp = RoundRSVP.objects.get(person=person, round=round)
        if rsvp.status != status:
            rsvp.status = status
            rsvp.save(update_fields=["status", "updated_at"])
    return rsvp


def encounters_create(
    *, round: MeetupRound, pairs: Iterable[tuple[int, int]], kind: EncounterKind
) -> None:
    """Record a ``kind`` encounter (seated or met) at ``round`` for each pair (a < b), dated
    the round's local day. A pair the round already has of that kind is left as it is."""
    occurred_on = round.local_date
    Encounter.objects.bulk_create(
        [
            Encounter(
                person_a_id=first,
                person_b_id=second,
                kind=kind,
                conference_id=round.conference_id,
                round=round,
                occurred_on=occurred_on,
            )
            for first, second in pairs
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    caches.invalidate(caches.TABLES)  # bulk_create sends no signal


# Profile ---------------------------------------------------------------------------------------

PROFILE_FIELDS = {
    "full_name",
    "organization",
    "bio",
    "topics",
    "needs_accessible_seating",
    "opted_out",
    "show_organization",
    "language",
}


def person_update(*, person: Person, data: dict) -> Person:
    """Change the person's profile and settings; only the keys given change."""
    unknown = set(data) - PROFILE_FIELDS
    if unknown:
        raise ServiceError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    if person.deleted_at is not None:
        raise ServiceError(gettext("This account was deleted."))
    changed: list[str] = []
    for name in ("full_name", "organization", "bio"):
        if name in data:
            value = str(data[name] or "").strip()
            if name != "bio":
                value = " ".join(value.split())
            limit = Person._meta.get_field(name).max_length
            if name == "full_name" and not value:
                raise ServiceError(gettext("Enter the name people will see."), field=name)
            if limit and len(value) > limit:
                raise ServiceError(
                    gettext("Keep this under %(limit)s characters.") % {"limit": limit}, field=name
                )
            setattr(person, name, value)
            changed.append(name)
    for name in ("needs_accessible_seating", "opted_out", "show_organization"):
        if name in data:
            if not isinstance(data[name], bool):
                raise ServiceError(gettext("Answer yes or no."), field=name)
            setattr(person, name, data[name])
            changed.append(name)
    if "language" in data:
        language = str(data["language"] or "")
        codes = [code for code, _name in settings.LANGUAGES]
        if language and language not in codes:
            raise ServiceError(
                gettext("Choose one of these languages: %(codes)s, or none for your browser's.")
                % {"codes": ", ".join(codes)},
                field="language",
            )
        person.language = language
        changed.append("language")
    topics = None
    if "topics" in data:
        ids = [t.pk if isinstance(t, Topic) else t for t in data["topics"] or []]
        topics = list(Topic.objects.filter(pk__in=ids))
        if len(topics) != len(set(ids)):
            raise ServiceError(gettext("Choose topics from the list."), field="topics")
    with transaction.atomic():
        if changed:
            person.save(update_fields=changed)
        if topics is not None:
            person.topics.set(topics)
    return person


# Private wishes --------------------------------------------------------------------------------

NOT_AN_ATTENDEE = gettext_lazy("Choose someone registered for one of your conferences.")


@dataclass(frozen=True)
class BlockResult:
    block_id: int
    blocked_name: str


def block_create(*, person: Person, blocked_id: int) -> BlockResult:
    """Never seat the person with person ``blocked_id``. Private: the blocked person is never
    told. Blocking also withdraws the person's own sit-together requests to them.

    Yourself is a mistake the person can see (400, "You cannot block yourself"); an id that is
    nobody at their conferences answers as one that does not exist (400 naming the field), in
    every door.
    """
    if blocked_id == person.pk:
        raise ServiceError(gettext("You cannot block yourself."), field="person")
    blocked = attendee_of_my_conferences(person=person, person_id=blocked_id)
    if blocked is None:
        raise ServiceError(NOT_AN_ATTENDEE, field="person")
    with transaction.atomic():
        SitTogether.objects.filter(requester=person, requested=blocked).delete()
        block, _ = Block.objects.get_or_create(blocker=person, blocked=blocked)
    return BlockResult(block_id=block.pk, blocked_name=blocked.full_name)


def block_delete(*, person: Person, block_id: int) -> None:
    """Remove one of the person's blocks; anyone else's block id is not found."""
    deleted, _ = Block.objects.filter(pk=block_id, blocker=person).delete()
    if not deleted:
        raise NotFound(gettext("You have no such block."))


@dataclass(frozen=True)
class SitTogetherResult:
    request_id: int
    other_name: str
    conference_name: str


def sit_together_request(*, person: Person, other_id: int, conference_id: int) -> SitTogetherResult:
    """Ask to sit with person ``other_id`` at conference ``conference_id``; it counts once they
    ask for the person too. The other side is not told: they see the pair only when they make
    the same request.
    """
    if other_id == person.pk:
        raise ServiceError(gettext("Choose someone other than yourself."), field="person")
    upcoming = upcoming_conferences_for(person=person).filter(pk=conference_id)
    conference = upcoming.first()
    if conference is None:
        raise ServiceError(
            gettext("Choose one of your conferences that has not ended yet."), field="conference"
        )
    other = attendee_of_my_conferences(person=person, person_id=other_id, conferences=upcoming)
    if other is None:
        raise ServiceError(
            gettext("Choose someone registered for %(conference)s.")
            % {"conference": conference.name},
            field="person",
        )
    if Block.objects.filter(blocker=person, blocked=other).exists():
        raise ServiceError(
            gettext("You blocked this person. Unblock them first to sit together."), field="person"
        )
    try:
        with transaction.atomic():
            request, _ = SitTogether.objects.get_or_create(
                conference=conference, requester=person, requested=other
            )
    except IntegrityError:  # the same request from a second tab at the same moment
        request = SitTogether.objects.get(conference=conference, requester=person, requested=other)
    return SitTogetherResult(
        request_id=request.pk, other_name=other.full_name, conference_name=conference.name
    )


def sit_together_withdraw(*, person: Person, request_id: int) -> None:
    """Take back one of the person's sit-together requests."""
    deleted, _ = SitTogether.objects.filter(pk=request_id, requester=person).delete()
    if not deleted:
        raise NotFound(gettext("You have no such request."))


# Leaving ---------------------------------------------------------------------------------------


def account_delete(*, person: Person) -> None:
    """Erase the person's personal data and account; keep the row as "a former attendee".

    Others' encounters with them survive (their tie weights and networks stay right), and so do
    seats in rounds already held and registrations at past conferences (the organizers'
    figures). Everything else about them goes: profile, topics, RSVPs, blocks and requests in
    both directions, contact cards and offers both ways, seats in rounds not yet held, registrations for conferences still to come,
    sign-in links and the user account with its API tokens. An organizer's or superuser's
    account is only unlinked, never deleted here, so a conference is not left without its
    organizer.
    """
    if person.deleted_at is not None:
        return
    today = timezone.localdate()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        user = person.user
        email = person.email
        RoundRSVP.objects.filter(person=person).delete()
        Block.objects.filter(Q(blocker=person) | Q(blocked=person)).delete()
        SitTogether.objects.filter(Q(requester=person) | Q(requested=person)).delete()
        ContactOffer.objects.filter(Q(from_person=person) | Q(to_person=person)).delete()
        ContactCard.objects.filter(person=person).delete()
        person_erasing.send(sender=Person, person=person)
        Attendance.objects.filter(person=person, conference__ends_on__gte=today).delete()
        DrinkTable.objects.filter(host=person).update(host=None)
        caches.invalidate(caches.TABLES)  # the rest sends signals; update() does not
        LoginLink.objects.filter(email=email).delete()
        EmailChange.objects.filter(person=person).delete()
        CalendarFeed.objects.filter(person=person).delete()
        person.topics.clear()
        person.full_name = ""
        person.email = ""
        person.organization = ""
        person.bio = ""
        person.needs_accessible_seating = False
        person.opted_out = True
        person.show_organization = False
        person.language = ""
        person.deleted_at = timezone.now()
        person.user = None
        person.save()
        if user is not None and not (user.is_staff or user.is_superuser):
            user.delete()
    logger.info("person %s deleted their account", person.pk)


# What organizers do to people ----------------------------------------------------------------
#
# A person's identity belongs to the person: the e-mail that signs them in, their account and
# their profile and settings. An organizer sets them only for people registered solely at
# conferences that organizer organizes who have never signed in (people the organizer brought
# in and nobody else knows); superusers correct anything. Per-registration data (role,
# newcomer override, check-in) is the organizer's whatever the person.

PERSON_IDENTITY_FIELDS = frozenset(
    {
        "email",
        "full_name",
        "organization",
        "bio",
        "topics",
        "needs_accessible_seating",
        "opted_out",
        "show_organization",
    }
)
IDENTITY_READ_ONLY = (
    "This person manages their own profile (they have signed in, or are registered at a "
    "conference you do not organize): their e-mail address, name and profile can only be "
    "changed by them. Registration data (role, newcomer, check-in) stays yours."
)


def person_identity_editable_by(*, person: Person, user) -> bool:
    """Whether ``user`` may set ``person``'s e-mail, account and profile.

    The system (``user=None``) and superusers may; an organizer only for a person who has never
    signed in, is not deleted, and is registered at least once and only at conferences that
    organizer organizes. Anyone else may not. (``identity_editable_ids`` is the same rule for
    many people at once; every door asks one of the two.)
    """
    if person.pk is None:
        return False
    return person.pk in identity_editable_ids(user=user, person_ids=[person.pk])


def identity_editable_ids(*, user, person_ids: Iterable[int]) -> set[int]:
    """Of ``person_ids``, those whose identity ``user`` may set (``person_identity_editable_by``),
    in a few queries however many there are (imports of 50,000 rows)."""
    ids = set(person_ids)
    if user is None:
        return ids
    if not (user.is_authenticated and user.is_active):
        return set()
    if user.is_superuser:
        return ids
    mine = set(organized_conferences(user=user).values_list("pk", flat=True))
    never_signed_in, registered_here, elsewhere = set(), set(), set()
    for chunk in chunked(sorted(ids)):
        never_signed_in.update(
            Person.objects.filter(
                pk__in=chunk, user__isnull=True, deleted_at__isnull=True
            ).values_list("pk", flat=True)
        )
        for person_id, conference_id in Attendance.objects.filter(person_id__in=chunk).values_list(
            "person_id", "conference_id"
        ):
            (registered_here if conference_id in mine else elsewhere).add(person_id)
    return (never_signed_in & registered_here) - elsewhere


@dataclass(frozen=True)
class PersonSaved:
    person_id: int
    changed: tuple[str, ...]


def _checked_email(value, *, person_id: int | None) -> str:
    try:
        email = email_normalize(value or "")
        validate_email(email)
    except InvalidEmail as error:
        raise ServiceError(str(error), field="email") from None
    except ValidationError:
        raise ServiceError(
            "Enter an e-mail address, such as ann@example.org.", field="email"
        ) from None
    if Person.objects.filter(email=email).exclude(pk=person_id).exists():
        raise ServiceError(
            "Another person signs in with this e-mail address: register that address at your "
            "conference (an import or the registration form) instead of changing this one.",
            field="email",
        )
    return email


def person_edit(*, by, person_id: int, data: dict[str, Any]) -> PersonSaved:
    """An organizer's (or superuser's) change to a person's identity: e-mail, name, profile and
    settings, and for superusers the linked ``user`` (a user id or None).

    The person is looked up in ``by``'s scope (``NotFound``), and the identity rule decides
    (``PermissionDenied`` with ``IDENTITY_READ_ONLY``).
    """
    allowed = PERSON_IDENTITY_FIELDS | ({"user"} if by is None or by.is_superuser else set())
    unknown = set(data) - allowed
    if unknown:
        raise ServiceError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        person = (
            Person.objects.select_for_update()
            .filter(pk=person_for_organizer(user=by, pk=person_id).pk)
            .get()
        )
        if not person_identity_editable_by(person=person, user=by):
            raise PermissionDenied(IDENTITY_READ_ONLY)
        if person.deleted_at is not None:
            raise ServiceError("This account was deleted.")
        changed: list[str] = []
        if "email" in data:
            email = _checked_email(data["email"], person_id=person.pk)
            if email != person.email:
                person.email = email
                changed.append("email")
        if "user" in data:
            user_id = getattr(data["user"], "pk", data["user"])
            if user_id != person.user_id:
                if (
                    user_id is not None
                    and Person.objects.filter(user_id=user_id).exclude(pk=person.pk).exists()
                ):
                    raise ServiceError("This user is linked to another person.", field="user")
                person.user_id = user_id
                changed.append("user")
        if changed:
            person.save(update_fields=changed)
        profile = {k: v for k, v in data.items() if k in PROFILE_FIELDS}
        if profile:
            before = _profile_values(person)
            person_update(person=person, data=profile)
            changed.extend(k for k, v in _profile_values(person).items() if before[k] != v)
    logger.info("person %s edited by user %s: %s", person_id, getattr(by, "pk", None), changed)
    return PersonSaved(person_id=person_id, changed=tuple(changed))


def _profile_values(person: Person) -> dict[str, Any]:
    values = {name: getattr(person, name) for name in PROFILE_FIELDS - {"topics"}}
    values["topics"] = set(person.topics.values_list("pk", flat=True))
    return values


@dataclass(frozen=True)
class AttendanceSaved:
    attendance_id: int
    person_id: int
    conference_id: int
    changed: tuple[str, ...] = ()


REGISTRATION_FIELDS = frozenset({"role", "newcomer_override", "checked_in", "checked_in_at"})


def _registration_changes(attendance: Attendance, data: dict[str, Any]) -> list[str]:
    unknown = set(data) - REGISTRATION_FIELDS
    if unknown:
        raise ServiceError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    changed = []
    if "role" in data and data["role"] != attendance.role:
        if data["role"] not in AttendanceRole.values:
            allowed = ", ".join(AttendanceRole.values)
            raise ServiceError(f"Choose a role: {allowed}.", field="role")
        attendance.role = data["role"]
        changed.append("role")
    if "newcomer_override" in data and data["newcomer_override"] != attendance.newcomer_override:
        if data["newcomer_override"] not in (True, False, None):
            raise ServiceError(
                "Answer yes, no or empty (decide from history).", field="newcomer_override"
            )
        attendance.newcomer_override = data["newcomer_override"]
        changed.append("newcomer_override")
    if "checked_in_at" in data and data["checked_in_at"] != attendance.checked_in_at:
        attendance.checked_in_at = data["checked_in_at"]
        changed.append("checked_in_at")
    if "checked_in" in data and data["checked_in"] != (attendance.checked_in_at is not None):
        attendance.checked_in_at = timezone.now() if data["checked_in"] else None
        changed.append("checked_in_at")
    return changed


def attendance_register(
    *, by, conference_id: int, person_id: int, data: dict[str, Any] | None = None
) -> AttendanceSaved:
    """Register person ``person_id`` (someone already at one of ``by``'s conferences) for
    conference ``conference_id`` of ``by``'s. New people come in by e-mail through
    ``attendees.registrations.attendances_upsert``, which links an address known elsewhere
    without telling."""
    conference = conference_by_id_for_organizer(user=by, pk=conference_id)
    person = person_for_organizer(user=by, pk=person_id)
    if person.deleted_at is not None:
        raise ServiceError("This account was deleted; it cannot be registered.", field="person")
    attendance = Attendance(person=person, conference=conference)
    _registration_changes(attendance, data or {})
    try:
        with transaction.atomic():
            attendance.save()
    except IntegrityError:
        raise ServiceError(
            f"{person.display_name} is already registered for {conference.name}.", field="person"
        ) from None
    logger.info("attendance %s created by user %s", attendance.pk, getattr(by, "pk", None))
    return AttendanceSaved(attendance.pk, person.pk, conference.pk)


def attendance_update(*, by, attendance_id: int, data: dict[str, Any]) -> AttendanceSaved:
    """Change a registration's role or newcomer setting, or check the person in (or out).

    ``checked_in`` True stamps the time of the first check-in (checking in again keeps it);
    False clears it; ``checked_in_at`` sets the time itself (the admin).
    """
    with transaction.atomic():
        attendance = (
            attendances_for_organizer(user=by).select_for_update().filter(pk=attendance_id).first()
        )
        if attendance is None:
            raise NotFound("There is no registration of yours with this id.")
        changed = _registration_changes(attendance, data)
        if changed:
            attendance.save(update_fields=changed)
    logger.info(
        "attendance %s updated by user %s: %s", attendance.pk, getattr(by, "pk", None), changed
    )
    return AttendanceSaved(
        attendance.pk, attendance.person_id, attendance.conference_id, tuple(changed)
    )


def attendance_delete(*, by, attendance_id: int) -> None:
    """Take a registration back. Refused while the person hosts a table of the conference or
    sits in a published or held plan of it: those are part of the evening's record."""
    with transaction.atomic():
        attendance = (
            attendances_for_organizer(user=by)
            .select_for_update()
            .select_related("person", "conference")
            .filter(pk=attendance_id)
            .first()
        )
        if attendance is None:
            raise NotFound("There is no registration of yours with this id.")
        hosted = DrinkTable.objects.filter(
            conference_id=attendance.conference_id, host_id=attendance.person_id
        ).values_list("label", flat=True)
        if hosted:
            raise Conflict(
                f"{attendance.person.display_name} hosts table {', '.join(hosted)}: choose "
                "another host first."
            )
        if MeetupRound.objects.filter(
            conference_id=attendance.conference_id,
            status__in=PLAN_VISIBLE_STATUSES,
            published_run__seats__person_id=attendance.person_id,
        ).exists():
            raise Conflict(
                f"{attendance.person.display_name} has a seat in a published or held round of "
                "this conference, which must stay as it is."
            )
        attendance.delete()
    logger.info("attendance %s deleted by user %s", attendance_id, getattr(by, "pk", None))


def rsvp_record(*, by, person_id: int, round_id: int, status: str) -> int:
    """An organizer answers a round's RSVP for someone (who told them in person); the rules are
    the attendee's own (``rsvp_set``). Returns the RSVP's id."""
    meetup_round = round_for_organizer(user=by, pk=round_id)
    person = person_for_organizer(user=by, pk=person_id)
    return rsvp_set(person=person, round=meetup_round, status=status).pk


def rsvp_delete(*, by, rsvp_id: int) -> None:
    deleted, _ = RoundRSVP.objects.filter(
        pk=rsvp_id, round__conference__in=organized_conferences(user=by)
    ).delete()
    if not deleted:
        raise NotFound("There is no RSVP of yours with this id.")


def encounter_record(
    *,
    by,
    person_ids: tuple[int, int],
    kind: str,
    conference_id: int | None,
    round_id: int | None,
    occurred_on,
) -> int:
    """Record an encounter between two people of ``by``'s conferences, at one of them."""
    first, second = (person_for_organizer(user=by, pk=pk).pk for pk in person_ids)
    if first == second:
        raise ServiceError("An encounter needs two different people.", field="person_b")
    if kind not in EncounterKind.values:
        raise ServiceError("Choose what kind of encounter this is.", field="kind")
    meetup_round = round_for_organizer(user=by, pk=round_id) if round_id else None
    if conference_id is None and meetup_round is None and by is not None and not by.is_superuser:
        raise ServiceError("Choose the conference where they met.", field="conference")
    conference = (
        conference_by_id_for_organizer(user=by, pk=conference_id) if conference_id else None
    )
    if (
        meetup_round is not None
        and conference is not None
        and meetup_round.conference_id != conference.pk
    ):
        raise ServiceError("Choose a round of that conference.", field="round")
    if kind in (EncounterKind.SEATED, EncounterKind.MET) and meetup_round is None:
        raise ServiceError(
            "A seated or met encounter happens at a round: choose it.", field="round"
        )
    a, b = Encounter.ordered(first, second)
    try:
        with transaction.atomic():
            encounter = Encounter.objects.create(
                person_a_id=a,
                person_b_id=b,
                kind=kind,
                conference=conference or (meetup_round.conference if meetup_round else None),
                round=meetup_round,
                occurred_on=occurred_on,
            )
    except IntegrityError:
        raise ServiceError("These two already have this encounter there.") from None
    caches.invalidate(caches.TABLES)
    logger.info("encounter %s recorded by user %s", encounter.pk, getattr(by, "pk", None))
    return encounter.pk


def encounter_delete(*, by, encounter_id: int) -> None:
    from django.db.models.functions import Coalesce

    deleted, _ = (
        Encounter.objects.annotate(edition=Coalesce("conference_id", "round__conference_id"))
        .filter(pk=encounter_id, edition__in=organized_conferences(user=by).values("pk"))
        .delete()
    )
    if not deleted:
        raise NotFound("There is no encounter of yours with this id.")
    caches.invalidate(caches.TABLES)
