"""The attendee dashboard. Views parse input, call a service or selector and render.

Every object is looked up through the signed-in person's own selectors, so anyone else's
round, block or request is a 404, never a 403 that would confirm it exists.
htmx requests get the changed fragment back; the same forms work without JavaScript.
"""

from functools import wraps
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from attendees import services, tokens
from attendees.models import Person
from attendees.selectors.encounters import met_confirmed_ids
from attendees.selectors.network import network_for
from attendees.selectors.people import (
    conferences_for,
    login_link_usable,
    person_for_user,
    upcoming_conferences_for,
)
from attendees.selectors.rounds import round_for
from attendees.selectors.search import attendee_search
from attendees.selectors.wishes import blocks_for, sit_together_for
from conferences.calendar import (
    TableEvent,
    round_page_url,
    seat_location,
    table_event_ics,
    table_events_ics,
)
from conferences.enums import RoundStatus
from conferences.scoping import is_organizer_cached
from conferences.times import person_zone
from config.exceptions import Conflict, ServiceError
from config.http import client_ip
from config.i18n import activate_person_language
from dashboard.forms import (
    DeleteAccountForm,
    EmailChangeForm,
    LoginLinkForm,
    MetForm,
    PersonChoiceForm,
    ProfileForm,
    RSVPForm,
    SearchForm,
    SitTogetherForm,
)
from matching.selectors.calendar import feed_events_for
from matching.selectors.export import person_export
from matching.selectors.live import is_waiting
from matching.selectors.tables import (
    my_table_for,
    round_attendee_ids,
    round_with_seat_for,
    rounds_for,
    tablemates_for,
)
from matching.services import encounters, live


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _error_status(error: ServiceError) -> int:
    """The status the API gives the same refusal: 409 for a clash with the state, else 400."""
    return 409 if isinstance(error, Conflict) else 400


def _back(request, default: str):
    """Where a plain (non-htmx) form post returns to: ``next`` if it is ours, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next")
    # Only a path on this site; redirect() would take a bare word such as "0" for a view name.
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return HttpResponseRedirect(target)
    return redirect(default)


HEADER_PAGES = frozenset({"home", "network", "profile"})


def attendee_required(view):
    """Signed in with an attendee profile; ``request.person`` is that profile.

    A signed-in user without one (staff who only organize) gets a page that says so.
    """

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        person = person_for_user(user=request.user)
        if person is None:
            # The pages the header links to say so; pages of one thing are not found.
            status = 200 if request.resolver_match.url_name in HEADER_PAGES else 404
            return render(request, "dashboard/no_profile.html", {"nav": "home"}, status=status)
        request.person = person
        activate_person_language(request, person)
        return view(request, *args, **kwargs)

    return wrapper


# Signing in ------------------------------------------------------------------------------------


def landing_for(user) -> str:
    """Where signing in leads: an organizer to their conferences, an attendee to their rounds.
    An account made by this very sign-in (an attendee's first) organizes nothing yet."""
    if getattr(user, "made_by_this_sign_in", False):
        return "dashboard:home"
    return "organize:index" if is_organizer_cached(user=user) else "dashboard:home"


@never_cache
@require_http_methods(["GET", "POST"])
def login_request(request):
    if request.user.is_authenticated:
        return redirect("dashboard:home")
    form = LoginLinkForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.login_link_request(
                email=form.cleaned_data["email"],
                ip=client_ip(request),
                base_url=request.build_absolute_uri("/"),
                language=translation.get_language(),
            )
        except services.LoginRateLimited as error:
            form.add_error("email", error.message)
            response = render(request, "dashboard/login.html", {"form": form}, status=429)
            response["Retry-After"] = str(error.retry_after_s)
            return response
        except ServiceError as error:
            form.add_error(error.field or None, error.message)
            status = 400
        else:
            return redirect("dashboard:login_sent")
    elif request.method == "POST":
        status = 400
    return render(request, "dashboard/login.html", {"form": form}, status=status)


@require_GET
def login_sent(request):
    return render(request, "dashboard/login_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def login_link(request, token: str):
    """Ask for a click before using the link, so mail scanners that fetch links cannot."""
    if request.method == "POST":
        try:
            user = services.login_link_consume(token=token)
        except ServiceError as error:
            return render(
                request, "dashboard/login_link.html", {"error": error.message}, status=400
            )
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        return redirect(landing_for(user))
    if not login_link_usable(token=token):
        return render(
            request, "dashboard/login_link.html", {"error": services.LINK_UNUSABLE}, status=400
        )
    return render(request, "dashboard/login_link.html", {})


class StaffLoginView(auth_views.LoginView):
    """Password sign-in for organizers and staff; attendees use the e-mail link."""

    template_name = "dashboard/staff_login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse(landing_for(self.request.user))

    def post(self, request, *args, **kwargs):
        try:
            services.staff_login_check(
                username=request.POST.get("username", ""), ip=client_ip(request)
            )
        except services.LoginRateLimited as error:
            # The password is not tried: the form comes back empty with the reason.
            context = self.get_context_data(form=self.form_class(request), limited=error.message)
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(error.retry_after_s)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        # The failure was counted where every door's are: attendees.backends.
        return self.render_to_response(self.get_context_data(form=form), status=400)


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, from the button in every page's header)."""


# Rounds ----------------------------------------------------------------------------------------


@attendee_required
@require_GET
def home(request):
    person = request.person
    attendances = list(conferences_for(person=person))
    rounds = list(rounds_for(person=person))
    by_conference = {
        conference_id: list(items)
        for conference_id, items in groupby(
            sorted(rounds, key=lambda r: (r.conference_id, r.starts_at, r.pk)),
            key=lambda r: r.conference_id,
        )
    }
    today = timezone.localdate()
    now = timezone.now()
    current = [
        (a.conference, by_conference.get(a.conference_id, []))
        for a in attendances
        if a.conference.ends_on >= today
    ]
    current.reverse()  # soonest first
    past = [
        (a.conference, by_conference.get(a.conference_id, []))
        for a in attendances
        if a.conference.ends_on < today
    ]
    tonight = next(
        (
            r
            for r in rounds
            if r.my_table_label and r.status == RoundStatus.PUBLISHED and r.ends_at >= now
        ),
        None,
    )
    return render(
        request,
        "dashboard/home.html",
        {
            "person": person,
            "current": current,
            "past": past,
            "tonight": tonight,
            "nav": "home",
        },
    )


def _my_round(request, pk: int, *, with_seat: bool = False):
    """The person's round ``pk`` (404 when it is not theirs); ``with_seat`` adds
    ``my_table_id``, read in the same query."""
    find = round_with_seat_for if with_seat else round_for
    meetup_round = find(person=request.person, round_id=pk)
    if meetup_round is None:
        raise Http404("No such round among yours.")
    return meetup_round


def _met_context(person: Person, meetup_round, tablemates) -> dict:
    """The "who did you meet?" checkboxes: tablemates, and others already confirmed."""
    confirmed = met_confirmed_ids(person=person, round=meetup_round)
    elsewhere = confirmed - {mate.person_id for mate in tablemates}
    others = Person.objects.filter(pk__in=elsewhere).order_by("full_name") if elsewhere else []
    editable = encounters.met_editable(round=meetup_round)
    return {
        "meetup_round": meetup_round,
        "met_people": [
            {"id": mate.person_id, "name": mate.name, "confirmed": mate.person_id in confirmed}
            for mate in tablemates
            if not mate.former
        ],
        "met_others": [{"id": other.pk, "name": other.display_name} for other in others],
        "met_others_names": ", ".join(other.display_name for other in others),
        "met_editable": editable,
        "met_confirmed_count": len(confirmed),
        "met_until": dateformat.format(
            timezone.localtime(
                encounters.met_editable_until(round=meetup_round), meetup_round.conference.tzinfo
            ),
            _("j F"),
        ),
        "met_closed": "" if editable else encounters.met_closed_reason(round=meetup_round),
    }


@attendee_required
@require_GET
def round_detail(request, pk: int):
    person = request.person
    meetup_round = _my_round(request, pk, with_seat=True)
    mine = my_table_for(person=person, round=meetup_round, table_id=meetup_round.my_table_id)
    tablemates = mine.tablemates if mine else []
    context = {
        "meetup_round": meetup_round,
        "table": mine.table if mine else None,
        "tablemates": tablemates,
        "nav": "home",
        "waiting": mine is None
        and meetup_round.status == RoundStatus.PUBLISHED
        and is_waiting(round=meetup_round, person=person),
    }
    if meetup_round.status == RoundStatus.HELD:
        context.update(_met_context(person, meetup_round, tablemates))
        present = round_attendee_ids(round=meetup_round)
        context["was_there"] = person.pk in present
        query = _search_query(request)
        context["query"] = query
        if query:
            context["results"] = attendee_search(
                person=person, query=query, only_ids=present - {person.pk}
            )
    return render(request, "dashboard/round.html", context)


@attendee_required
@require_POST
def rsvp(request, pk: int):
    meetup_round = _my_round(request, pk)
    form = RSVPForm(request.POST)
    error, status = None, 200
    if not form.is_valid():
        error, status = _("Answer going or not going."), 400
    else:
        try:
            placement = live.rsvp_answer(
                person=request.person, round=meetup_round, status=form.cleaned_data["status"]
            )
        except ServiceError as exc:
            error, status = exc.message, _error_status(exc)
        else:
            meetup_round.my_rsvp = form.cleaned_data["status"]
            if placement.message:  # after publishing: seated, waiting or released
                messages.success(request, placement.message)
                page = reverse("dashboard:round", args=[meetup_round.pk])
                if _is_htmx(request):  # the page changes (table, waiting list): load it again
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = page
                    return response
                return _back(request, page)
    if _is_htmx(request):
        return render(
            request,
            "dashboard/_rsvp.html",
            {"meetup_round": meetup_round, "error": error, "saved": error is None},
            status=status,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _rsvp_words(meetup_round))
    return _back(request, reverse("dashboard:home"))


def _rsvp_words(meetup_round) -> str:
    if meetup_round.my_rsvp == "going":
        return _("Saved: you are going to %(round)s.") % {"round": meetup_round.name}
    return _("Saved: you are not going to %(round)s.") % {"round": meetup_round.name}


@attendee_required
@require_GET
def round_calendar(request, pk: int):
    person = request.person
    meetup_round = _my_round(request, pk, with_seat=True)
    mine = my_table_for(person=person, round=meetup_round, table_id=meetup_round.my_table_id)
    if mine is None:
        raise Http404("No table for you in this round yet.")
    names = [mate.name for mate in mine.tablemates]
    page = round_page_url(round_id=meetup_round.pk)  # the address the e-mail links to
    description = " ".join(
        [
            _("Your table: %(table)s.") % {"table": mine.table.label},
            *([_("With %(names)s.") % {"names": ", ".join(names)}] if names else []),
            page,
        ]
    )
    body = table_event_ics(
        TableEvent(
            round=meetup_round,
            person_id=person.pk,
            table_label=mine.table.label,
            location=seat_location(
                table_location=mine.table.location, round_location=meetup_round.location
            ),
            description=description,
            url=page,
        )
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="drink-tables-{meetup_round.pk}.ics"'
    return response


# Calendar subscription -------------------------------------------------------------------------


@attendee_required
@require_http_methods(["GET", "POST"])
def calendar(request):
    """Make, reset or turn off the calendar subscription; its address is shown once."""
    person = request.person
    urls, status, done = None, 200, ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            reset = tokens.calendar_feed_for(person=person) is not None
            token = tokens.calendar_feed_create(person=person)[1]
            urls = tokens.calendar_feed_urls(token=token, base_url=request.build_absolute_uri("/"))
            done = (
                _(
                    "Your calendar link is new: the old one no longer works. Subscribe again "
                    "with this one."
                )
                if reset
                else _("Your calendar link is ready.")
            )
        elif action == "revoke":
            if tokens.calendar_feed_revoke(person=person):
                messages.success(
                    request, _("Your calendar link is turned off; it no longer works.")
                )
            return redirect("dashboard:calendar")
        else:
            status = 400
            messages.error(request, _("Choose to make a new calendar link or to turn it off."))
    feed = tokens.calendar_feed_for(person=person)
    last_read = ""
    if feed is not None and feed.last_used_at is not None:
        # In the zone of the person's latest conference, named ("3 December 2026, 21:15 CET").
        moment = timezone.localtime(feed.last_used_at, person_zone(person=person))
        when = dateformat.format(moment, _("j F Y, H:i"))
        last_read = f"{when} {moment.tzname()}"
    response = render(
        request,
        "dashboard/calendar.html",
        {"feed": feed, "last_read": last_read, "urls": urls, "done": done, "nav": "profile"},
        status=status,
    )
    response["Cache-Control"] = "no-store"  # the address is shown once
    return response


@require_safe
def calendar_feed(request, token: str):
    """The calendar subscription itself: no session, the secret in the URL."""
    try:
        person = tokens.calendar_feed_person(token=token, ip=client_ip(request))
    except tokens.FeedRateLimited as error:
        response = HttpResponse(error.message, status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(error.retry_after_s)
        return response
    if person is None:
        raise Http404("No such calendar: the link is wrong, or it was reset or turned off.")
    response = HttpResponse(
        table_events_ics(feed_events_for(person=person)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="drink-tables.ics"'
    # Private to the one who holds the link; calendar apps read it again by themselves.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@attendee_required
@require_POST
def met(request, pk: int):
    person = request.person
    meetup_round = _my_round(request, pk)
    allowed = round_attendee_ids(round=meetup_round) - {person.pk}
    form = MetForm(request.POST, allowed=allowed)
    error = None
    if not form.is_valid():
        error = _("Choose people who were at this round.")
    else:
        people = list(Person.objects.filter(pk__in=form.cleaned_data["people"]))
        try:
            recorded = encounters.met_record(person=person, round=meetup_round, people=people)
        except ServiceError as exc:
            error = exc.message
        else:
            if not recorded:
                error = _("Tick the people you met first.")
    if _is_htmx(request):
        tablemates = tablemates_for(person=person, round=meetup_round)
        context = _met_context(person, meetup_round, tablemates)
        context.update({"error": error, "saved": error is None, "was_there": True})
        return render(request, "dashboard/_met.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Thanks! We noted who you met."))
    return redirect("dashboard:round", pk=meetup_round.pk)


@attendee_required
@require_POST
def met_undo(request, pk: int, person: int):
    """Take back a "we met" (a tick made by mistake), for a while after the round."""
    me = request.person
    meetup_round = _my_round(request, pk)
    error, done = None, ""
    try:
        if encounters.met_undo(person=me, round=meetup_round, other_id=person):
            done = _("Taken back.")
    except ServiceError as exc:
        error = exc.message
    if _is_htmx(request):
        tablemates = tablemates_for(person=me, round=meetup_round)
        context = _met_context(me, meetup_round, tablemates)
        context.update({"error": error, "undone": done, "was_there": True})
        return render(request, "dashboard/_met.html", context, status=409 if error else 200)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect("dashboard:round", pk=meetup_round.pk)


@attendee_required
@require_GET
def met_search(request, pk: int):
    person = request.person
    meetup_round = _my_round(request, pk)
    if meetup_round.status != RoundStatus.HELD:
        raise Http404("Not held yet.")
    query = _search_query(request)
    results = attendee_search(
        person=person,
        query=query,
        only_ids=round_attendee_ids(round=meetup_round) - {person.pk},
    )
    return render(
        request,
        "dashboard/_met_results.html",
        {"meetup_round": meetup_round, "results": results, "query": query},
    )


# Network ---------------------------------------------------------------------------------------


@attendee_required
@require_GET
def network(request):
    my_network = network_for(person=request.person)
    return render(
        request,
        "dashboard/network.html",
        {"network": my_network, "nav": "network"},
    )


# Profile ---------------------------------------------------------------------------------------


@attendee_required
@require_http_methods(["GET", "POST"])
def profile(request):
    person = request.person
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(person=person, data=form.cleaned_data)
        except ServiceError as error:
            form.add_error(error.field, error.message)
        else:
            activate_person_language(request, person)
            messages.success(request, _("Your profile is saved."))
            return redirect("dashboard:profile")
    return _profile_page(request, form=form, status=400 if form.errors else 200)


def _profile_page(request, *, form=None, email_form=None, status=200):
    person = request.person
    return render(
        request,
        "dashboard/profile.html",
        {
            "form": form or ProfileForm(instance=person),
            "email_form": email_form or EmailChangeForm(),
            "person": person,
            "nav": "profile",
        },
        status=status,
    )


@attendee_required
@require_POST
def email_change(request):
    """Ask to sign in with another address: a link goes to it (attendees.services)."""
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        try:
            asked = services.email_change_request(
                person=request.person,
                email=form.cleaned_data["email"],
                base_url=request.build_absolute_uri("/"),
            )
        except services.LoginRateLimited as error:
            form.add_error("email", error.message)
            response = _profile_page(request, email_form=form, status=429)
            response["Retry-After"] = str(error.retry_after_s)
            return response
        except ServiceError as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request,
                _(
                    "We sent a link to %(new)s: open it to sign in with that address. "
                    "Until then you sign in with %(old)s."
                )
                % {"new": asked.new_email, "old": request.person.email},
            )
            return redirect("dashboard:profile")
    return _profile_page(request, email_form=form, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def email_confirm(request, token: str):
    """Confirm a new address from the link sent to it; a click first, as for sign-in links."""
    if request.method == "POST":
        try:
            changed = services.email_change_confirm(token=token)
        except ServiceError as error:
            return render(
                request,
                "dashboard/email_confirm.html",
                {"error": error.message},
                status=_error_status(error),
            )
        return render(request, "dashboard/email_confirm.html", {"changed": changed.new_email})
    if not services.email_change_usable(token=token):
        return render(
            request,
            "dashboard/email_confirm.html",
            {"error": services.EMAIL_CHANGE_UNUSABLE},
            status=400,
        )
    return render(request, "dashboard/email_confirm.html", {})


def _search_query(request) -> str:
    """The cleaned ``q`` of a search, or "" when there is none (or it is not valid)."""
    form = SearchForm(request.GET)
    return form.cleaned_data["q"] if form.is_valid() else ""


def _panel_answer(
    request, *, panel: str, context, page: str, template: str, error: str | None, done: str
):
    """After a change on a wishes page: the refreshed panel for htmx, else a message and
    a redirect back to ``page`` (POST/redirect/GET). A refused change answers 400 with its
    message, as the API does for the same mistake."""
    if _is_htmx(request):
        return render(
            request, panel, context(request, "", error, done), status=400 if error else 200
        )
    if error:
        return render(request, template, context(request, "", error, ""), status=400)
    messages.success(request, done)
    return redirect(page)


def _blocks_context(request, query: str = "", error: str | None = None, done: str = "") -> dict:
    blocks = list(blocks_for(person=request.person))
    return {
        "blocks": blocks,
        "query": query,
        "results": attendee_search(
            person=request.person, query=query, exclude_ids=[b.blocked_id for b in blocks]
        ),
        "error": error,
        "done": done,
        "nav": "profile",
    }


@attendee_required
@require_http_methods(["GET", "POST"])
def blocks(request):
    if request.method == "GET":
        query = _search_query(request)
        return render(request, "dashboard/blocks.html", _blocks_context(request, query))
    form = PersonChoiceForm(request.POST)
    error, done = None, ""
    try:
        if not form.is_valid():
            raise ServiceError(services.NOT_AN_ATTENDEE, field="person")
        blocked = live.block_create_live(
            person=request.person, blocked_id=form.cleaned_data["person"]
        )
    except ServiceError as exc:
        error = exc.message
    else:
        if blocked.tables_flagged:  # they sit at my table tonight: say so
            done = blocked.message
        else:
            done = _("You blocked %(name)s. You will not be seated together.") % {
                "name": blocked.blocked_name
            }
    return _blocks_answer(request, error, done)


@attendee_required
@require_GET
def block_search(request):
    query = _search_query(request)
    return render(request, "dashboard/_block_results.html", _blocks_context(request, query))


@attendee_required
@require_POST
def block_delete(request, pk: int):
    blocked = (
        blocks_for(person=request.person).filter(pk=pk).values_list("blocked__full_name", flat=True)
    ).first()
    services.block_delete(person=request.person, block_id=pk)
    return _blocks_answer(request, None, _("You unblocked %(name)s.") % {"name": blocked})


def _blocks_answer(request, error: str | None, done: str):
    return _panel_answer(
        request,
        panel="dashboard/_blocks_panel.html",
        context=_blocks_context,
        page="dashboard:blocks",
        template="dashboard/blocks.html",
        error=error,
        done=done,
    )


def _together_context(request, query: str = "", error: str | None = None, done: str = "") -> dict:
    person = request.person
    upcoming = upcoming_conferences_for(person=person)
    requests = sit_together_for(person=person)
    blocked = list(blocks_for(person=person).values_list("blocked_id", flat=True))
    results = attendee_search(person=person, query=query, conferences=upcoming, exclude_ids=blocked)
    asked = {(r.other_id, r.conference_id) for r in requests}
    return {
        "requests": requests,
        "query": query,
        "results": [
            (result, [c for c in result.conferences if (result.person_id, c[0]) not in asked])
            for result in results
        ],
        "has_upcoming": upcoming.exists(),
        "error": error,
        "done": done,
        "nav": "profile",
    }


@attendee_required
@require_http_methods(["GET", "POST"])
def together(request):
    if request.method == "GET":
        query = _search_query(request)
        return render(request, "dashboard/together.html", _together_context(request, query))
    form = SitTogetherForm(request.POST)
    error, done = None, ""
    try:
        if not form.is_valid():
            raise ServiceError(_("Choose someone and one of your conferences."), field="person")
        asked = services.sit_together_request(
            person=request.person,
            other_id=form.cleaned_data["person"],
            conference_id=form.cleaned_data["conference"],
        )
    except ServiceError as exc:
        error = exc.message
    else:
        done = _(
            "You asked to sit with %(name)s at %(conference)s. If they ask for you too, you will "
            "be seated together."
        ) % {"name": asked.other_name, "conference": asked.conference_name}
    return _together_answer(request, error, done)


@attendee_required
@require_GET
def together_search(request):
    query = _search_query(request)
    return render(request, "dashboard/_together_results.html", _together_context(request, query))


@attendee_required
@require_POST
def together_withdraw(request, pk: int):
    services.sit_together_withdraw(person=request.person, request_id=pk)
    return _together_answer(request, None, _("Your request is withdrawn."))


def _together_answer(request, error: str | None, done: str):
    return _panel_answer(
        request,
        panel="dashboard/_together_panel.html",
        context=_together_context,
        page="dashboard:together",
        template="dashboard/together.html",
        error=error,
        done=done,
    )


@attendee_required
@require_GET
def my_data(request):
    return render(request, "dashboard/data.html", {"nav": "profile"})


@attendee_required
@require_POST
def sign_out_everywhere(request):
    try:
        services.sessions_end_all(user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("dashboard:data")
    logout(request)
    messages.success(request, _("You are signed out on every device."))
    return redirect("dashboard:login")


@attendee_required
@require_GET
def export(request):
    data = person_export(person=request.person)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="drinktables-my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@attendee_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.account_delete(person=request.person)
        logout(request)
        messages.success(
            request,
            _("Your account is deleted. People you met see you as “a former attendee”."),
        )
        return redirect("dashboard:login")
    return render(
        request,
        "dashboard/delete.html",
        {"form": form, "nav": "profile"},
        status=400 if form.errors else 200,
    )
