"""API views of the attendees app: the signed-in person's own data, and their API tokens.

Views only parse, call a service or selector, and render. Everything is read through the
signed-in person's own selectors, so anybody else's round, block or request is a 404. Nothing
here lets the blocked person notice a block: the people search, sit-together requests and
"who I met" answer them exactly as if there were none.
"""

from types import SimpleNamespace

from django.contrib.auth import logout
from django.db.models import Q
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from api.common import DefaultCursorPagination
from api.filters.attendees import EncounterFilter, MyRoundFilter
from api.serializers.attendees import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    BlockSerializer,
    CalendarFeedCreatedSerializer,
    CalendarFeedSerializer,
    ContactOfferCreateSerializer,
    ContactOfferSerializer,
    ContactsSerializer,
    EmailChangeRequestedSerializer,
    EmailChangeSerializer,
    EncounterSerializer,
    ExportSerializer,
    MeSerializer,
    MetRequestSerializer,
    MetSerializer,
    MeUpdateSerializer,
    MyRoundSerializer,
    MyTableSerializer,
    NetworkSerializer,
    PersonChoiceSerializer,
    PersonSearchQuerySerializer,
    PersonSearchResultSerializer,
    RSVPSerializer,
    SitTogetherCreateSerializer,
    SitTogetherSerializer,
)
from api.serializers.conferences import TopicSerializer
from api.throttling import LoginRateThrottle
from attendees import contacts as contact_services
from attendees.models import ApiToken, Block, Encounter, Person, SitTogether
from attendees.selectors.contacts import card_for, contacts_for, offer_rows
from attendees.selectors.encounters import met_confirmed_ids
from attendees.selectors.network import network_for
from attendees.selectors.people import person_for_user, upcoming_conferences_for
from attendees.selectors.search import attendee_search
from attendees.selectors.wishes import blocks_for, sit_together_for
from attendees.services import (
    account_delete,
    block_delete,
    email_change_request,
    person_update,
    sit_together_request,
    sit_together_withdraw,
)
from attendees.tokens import (
    api_token_create,
    api_token_revoke,
    calendar_feed_create,
    calendar_feed_for,
    calendar_feed_revoke,
    calendar_feed_urls,
)
from conferences.models import Conference, MeetupRound, Topic
from config.exceptions import ServiceError
from config.i18n import activate_person_language
from matching.selectors.export import person_export
from matching.selectors.tables import rounds_for, seat_for, tablemates_for
from matching.services.encounters import met_encounter_undo, met_record
from matching.services.live import block_create_live, rsvp_answer

NO_PROFILE = (
    "No attendee profile is linked to your account. Attendees sign in with the e-mail address "
    "they registered with; organizers without one use the organizer endpoints."
)
NO_TABLE = (
    "You have no table in this round: tables show once the organizers publish the plan, "
    "and only to the people seated in it."
)
NOT_AT_ROUND = "You can only choose people who were at this round."


# Views of the signed-in attendee; a user without an attendee profile gets 404. (Comments, not
# docstrings, on these mixins: drf-spectacular would show them as every operation's description.)
class MyPersonMixin:
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The profile's language for every message of the answer, validation errors included.
        if not self.fake() and request.user.is_authenticated:
            activate_person_language(request, self.person)

    @cached_property
    def person(self) -> Person:
        person = person_for_user(user=self.request.user)
        if person is None:
            raise exceptions.NotFound(NO_PROFILE)
        return person

    def fake(self) -> bool:
        """True while drf-spectacular inspects the view without a request user."""
        return getattr(self, "swagger_fake_view", False)


def conference_slugs(ids) -> dict[int, str]:
    return dict(Conference.objects.filter(pk__in=set(ids)).values_list("pk", "slug"))


# Me --------------------------------------------------------------------------------------------


class MeView(MyPersonMixin, APIView):
    @extend_schema(summary="My profile and settings", responses=MeSerializer, tags=["me"])
    def get(self, request):
        return Response(MeSerializer(self.person).data)

    @extend_schema(
        summary="Change my profile and settings",
        description="Only the fields sent change; `topics` replaces the whole list.",
        request=MeUpdateSerializer,
        responses=MeSerializer,
        tags=["me"],
    )
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        person_update(person=self.person, data=serializer.validated_data)
        return Response(MeSerializer(person_for_user(user=request.user, fresh=True)).data)

    @extend_schema(
        summary="Delete my account",
        description="Erases my profile, RSVPs, blocks, requests, API tokens and account. "
        'People I met keep the encounter, with "a former attendee". Cannot be undone.',
        responses={204: None},
        tags=["me"],
    )
    def delete(self, request):
        account_delete(person=self.person)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyEmailView(MyPersonMixin, APIView):
    @extend_schema(
        summary="Change the address I sign in with",
        description="Sends a confirmation link to the new address; the address changes when "
        "the link is opened (in a browser). The answer is the same whether or not the address "
        "is someone else's. A few requests an hour (429 after).",
        request=EmailChangeSerializer,
        responses={202: EmailChangeRequestedSerializer},
        tags=["me"],
    )
    def post(self, request):
        serializer = EmailChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asked = email_change_request(
            person=self.person,
            email=serializer.validated_data["email"],
            base_url=request.build_absolute_uri("/"),
        )
        detail = f"We sent a link to {asked.new_email}: open it to sign in with that address."
        return Response(
            {"new_email": asked.new_email, "detail": detail}, status=status.HTTP_202_ACCEPTED
        )


class MyCalendarView(MyPersonMixin, APIView):
    """My calendar subscription: a private feed of all my tables (``webcal://``)."""

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.request.method == "POST":
            throttles.append(LoginRateThrottle())
        return throttles

    @extend_schema(
        summary="My calendar subscription",
        description="Whether I have one, since when, and when a calendar last read it; its "
        "address is shown only when it is made.",
        responses=CalendarFeedSerializer,
        tags=["me"],
    )
    def get(self, request):
        feed = calendar_feed_for(person=self.person)
        return Response(CalendarFeedSerializer(feed or {"prefix": None}).data)

    @extend_schema(
        summary="Make (or reset) my calendar subscription",
        description="Answers the feed's `webcal` and `https` addresses, shown only this once; "
        "only a hash of the secret is stored. A subscription I had stops working at once. "
        "Needs a signed-in session: a request authenticated with a token answers 403.",
        request=None,
        responses={201: CalendarFeedCreatedSerializer},
        tags=["me"],
    )
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            raise exceptions.PermissionDenied(
                "Calendar links are made from a signed-in session (the dashboard or a browser "
                "session), not with an API token."
            )
        feed, token = calendar_feed_create(person=self.person)
        urls = calendar_feed_urls(token=token, base_url=request.build_absolute_uri("/"))
        data = CalendarFeedSerializer(feed).data | {"webcal": urls["webcal"], "url": urls["https"]}
        response = Response(data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        summary="Turn my calendar subscription off",
        description="Its address stops working at once (204 also when there was none).",
        responses={204: None},
        tags=["me"],
    )
    def delete(self, request):
        calendar_feed_revoke(person=self.person)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyExportView(MyPersonMixin, APIView):
    @extend_schema(summary="Export my data", responses=ExportSerializer, tags=["me"])
    def get(self, request):
        response = Response(person_export(person=self.person))
        response["Cache-Control"] = "no-store"
        return response


class MyNetworkView(MyPersonMixin, APIView):
    @extend_schema(
        summary="My network",
        description="The people I have met, by edition, and how my network grew each year.",
        responses=NetworkSerializer,
        tags=["me"],
    )
    def get(self, request):
        return Response(NetworkSerializer(network_for(person=self.person)).data)


class PeopleSearchView(MyPersonMixin, APIView):
    @extend_schema(
        summary="Find attendees of my conferences",
        description="By name; public fields only, at most 10. Use the ids to block someone, "
        "ask to sit together or say who you met.",
        parameters=[PersonSearchQuerySerializer],
        responses=PersonSearchResultSerializer(many=True),
        tags=["me"],
    )
    def get(self, request):
        query = PersonSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        slug = query.validated_data.get("conference")
        results = attendee_search(
            person=self.person,
            query=query.validated_data["q"],
            conferences=Conference.objects.filter(slug=slug) if slug else None,
        )
        slugs = conference_slugs(pk for r in results for pk, _ in r.conferences)
        serializer = PersonSearchResultSerializer(
            results, many=True, context={"conference_slugs": slugs}
        )
        return Response(serializer.data)


@extend_schema_view(list=extend_schema(summary="Topics to choose from"))
class TopicViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Topic.objects.order_by("name", "pk")
    serializer_class = TopicSerializer


# Rounds ----------------------------------------------------------------------------------------


@extend_schema(tags=["me"])
@extend_schema_view(
    list=extend_schema(
        summary="My rounds",
        description="Rounds of my conferences, soonest first, with my RSVP and, once the "
        "plan is published, my table.",
    ),
    retrieve=extend_schema(summary="One of my rounds"),
)
class MyRoundViewSet(
    MyPersonMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = MeetupRound.objects.none()
    serializer_class = MyRoundSerializer
    filterset_class = MyRoundFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        if self.fake():
            return MeetupRound.objects.none()
        return rounds_for(person=self.person)

    def _round(self) -> MeetupRound:
        # Not get_object(): the list's filters must not hide the round an action is about.
        round = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if round is None:
            raise exceptions.NotFound(
                "You have no such round: it is not a round of your conferences, or not yet "
                "announced."
            )
        return round

    @extend_schema(
        summary="Answer a round's RSVP",
        description="Going or not going; it can change until the round is held. After the "
        "plan is published, `going` seats me at the best table with room (or puts me on the "
        'waiting list: `waiting`), and `not_going` ("I can\'t come") releases my seat; '
        "either way I get an e-mail (my table, or a calendar cancellation).",
        request=RSVPSerializer,
        responses=MyRoundSerializer,
    )
    @action(detail=True, methods=["put"])
    def rsvp(self, request, pk=None):
        round = self._round()
        serializer = RSVPSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rsvp_answer(person=self.person, round=round, status=serializer.validated_data["status"])
        return Response(MyRoundSerializer(self._round()).data)

    @extend_schema(
        summary="My table in a round",
        description="Once the plan is published: the table and my tablemates' public "
        "profiles, each with why they sit with me.",
        responses=MyTableSerializer,
    )
    @action(detail=True, methods=["get"])
    def table(self, request, pk=None):
        round = self._round()
        seat = seat_for(person=self.person, round=round)
        if seat is None:
            raise exceptions.NotFound(NO_TABLE)
        tablemates = tablemates_for(person=self.person, round=round)
        data = {"round": round, "table": seat.table, "tablemates": tablemates}
        return Response(MyTableSerializer(data).data)

    @extend_schema(methods=["GET"], summary="Who I met at a round", responses=MetSerializer)
    @extend_schema(
        methods=["POST"],
        summary="Say who I met at a round",
        description="After the round is held. Naming someone again changes nothing; the "
        "answer lists everyone I met there.",
        request=MetRequestSerializer,
        responses=MetSerializer,
    )
    @action(detail=True, methods=["get", "post"])
    def met(self, request, pk=None):
        round = self._round()
        if request.method == "POST":
            serializer = MetRequestSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            ids = set(serializer.validated_data["people"])
            people = list(Person.objects.filter(pk__in=ids))
            if len(people) != len(ids):
                raise ServiceError(NOT_AT_ROUND, field="people")
            met_record(person=self.person, round=round, people=people)
        confirmed = met_confirmed_ids(person=self.person, round=round)
        people = Person.objects.filter(pk__in=confirmed).order_by("full_name", "pk")
        return Response(MetSerializer({"people": people}).data)


# Encounters ------------------------------------------------------------------------------------


class EncounterPagination(DefaultCursorPagination):
    ordering = ("-occurred_on", "-id")


@extend_schema(tags=["me"])
@extend_schema_view(
    list=extend_schema(
        summary="My encounters",
        description="Everyone I sat with, met or was imported as knowing, newest first. "
        "Follow `next` for more (cursor pagination).",
    ),
    destroy=extend_schema(
        summary="Take back a “we met”",
        description="Deletes a `met` encounter of mine (for both people of the pair) until "
        "`undo_until`, 14 days after its round; after that, and for `seated` or `imported` "
        "encounters, 409 says why.",
    ),
)
class MyEncounterViewSet(
    MyPersonMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    queryset = Encounter.objects.none()
    serializer_class = EncounterSerializer
    filterset_class = EncounterFilter
    pagination_class = EncounterPagination
    lookup_value_converter = "int"

    def destroy(self, request, *args, **kwargs):
        met_encounter_undo(person=self.person, encounter_id=int(kwargs["pk"]))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_queryset(self):
        if self.fake():
            return Encounter.objects.none()
        person = self.person
        return Encounter.objects.filter(Q(person_a=person) | Q(person_b=person)).select_related(
            "person_a", "person_b", "conference", "round"
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "person": self.person}


# Private wishes --------------------------------------------------------------------------------


@extend_schema(tags=["me"])
@extend_schema_view(
    list=extend_schema(
        summary="My blocks",
        description="People I never want to be seated with. Private: they are never told.",
    ),
    destroy=extend_schema(summary="Unblock"),
)
class MyBlockViewSet(
    MyPersonMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Block.objects.none()
    serializer_class = BlockSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        if self.fake():
            return Block.objects.none()
        return blocks_for(person=self.person)

    @extend_schema(
        summary="Block someone",
        description="An attendee of one of my conferences; also withdraws my sit-together "
        "requests to them. Blocking twice changes nothing. When they sit at my table in a "
        "published round still ahead, the organizers are asked to move one of us (they are "
        "not told who asked; the other person is never told).",
        request=PersonChoiceSerializer,
        responses={201: BlockSerializer},
    )
    def create(self, request):
        serializer = PersonChoiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = block_create_live(
            person=self.person, blocked_id=serializer.validated_data["person"]
        )
        block = self.get_queryset().get(pk=created.block_id)
        return Response(BlockSerializer(block).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        block_delete(person=self.person, block_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["me"])
@extend_schema_view(
    list=extend_schema(
        summary="My sit-together requests",
        description="A request counts once the other person asks for me too (`mutual`).",
    ),
    destroy=extend_schema(summary="Withdraw a sit-together request"),
)
class MySitTogetherViewSet(
    MyPersonMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = SitTogether.objects.none()  # the model, for the schema; rows from _requests()
    serializer_class = SitTogetherSerializer
    lookup_value_converter = "int"

    def _requests(self):
        return sit_together_for(person=self.person)

    def _render(self, requests, *, many: bool):
        slugs = conference_slugs(r.conference_id for r in (requests if many else [requests]))
        return SitTogetherSerializer(requests, many=many, context={"conference_slugs": slugs})

    def list(self, request):
        page = self.paginate_queryset(self._requests())
        return self.get_paginated_response(self._render(page, many=True).data)

    @extend_schema(
        summary="Ask to sit with someone",
        description="At one of my conferences that has not ended. The other person is not "
        "told; it counts once they ask for me too.",
        request=SitTogetherCreateSerializer,
        responses={201: SitTogetherSerializer},
    )
    def create(self, request):
        serializer = SitTogetherCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        conference = upcoming_conferences_for(person=self.person).filter(
            slug=serializer.validated_data["conference"]
        )
        created = sit_together_request(
            person=self.person,
            other_id=serializer.validated_data["person"],
            conference_id=conference.values_list("pk", flat=True).first() or 0,
        )
        mine = next(r for r in self._requests() if r.id == created.request_id)
        return Response(self._render(mine, many=False).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        sit_together_withdraw(person=self.person, request_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# Stay in touch ---------------------------------------------------------------------------------


@extend_schema(tags=["me"])
class MyContactsView(MyPersonMixin, APIView):
    @extend_schema(
        summary="My contacts",
        description="The details I share, the details shared with me (both of us offered and "
        "neither blocked the other) and my offers not returned. An offer made to me is not "
        "shown until I offer mine back.",
        responses=ContactsSerializer,
    )
    def get(self, request):
        return Response(ContactsSerializer(contacts_for(person=self.person)).data)

    @extend_schema(
        summary="Offer my contact details to someone",
        description="Someone I sat with at a round that took place, or marked as met. "
        "`email` and `link` change what I share with everyone I offer it to. They see my "
        "details only once they offer theirs; offering again changes nothing.",
        request=ContactOfferCreateSerializer,
        responses={201: ContactOfferSerializer},
    )
    def post(self, request):
        serializer = ContactOfferCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        done = contact_services.contact_offer_make(
            person=self.person,
            other_id=data["person"],
            email=data.get("email"),
            link=data.get("link"),
        )
        (row,) = offer_rows(person=self.person, among=[done.person_id])
        offer = SimpleNamespace(
            person_id=row.person_id,
            name=row.name,
            mutual=row.mutual,
            card=card_for(person=self.person),
        )
        return Response(ContactOfferSerializer(offer).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["me"])
class MyContactDetailView(MyPersonMixin, APIView):
    @extend_schema(
        summary="Withdraw my offer",
        description="The person (by id) no longer sees my details. Always possible.",
        responses={204: None},
    )
    def delete(self, request, pk: int):
        contact_services.contact_offer_withdraw(person=self.person, other_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# API tokens ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="My API tokens", description="Keys are never shown again."),
    retrieve=extend_schema(summary="One of my API tokens"),
    destroy=extend_schema(
        summary="Revoke an API token", description="Requests with its key are refused from now on."
    ),
)
class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = ApiToken.objects.none()  # the model, for the schema; rows come from get_queryset
    serializer_class = ApiTokenSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user).order_by("-created_at", "-pk")

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action == "create":
            throttles.append(LoginRateThrottle())
        return throttles

    @extend_schema(
        summary="Create an API token",
        description="Answers the new token with its `key`, shown only this once; "
        "only a hash of it is stored. Needs a signed-in session: a request authenticated "
        "with a token answers 403.",
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer},
    )
    def create(self, request):
        if isinstance(request.auth, ApiToken):
            # A leaked token must not be able to mint tokens that outlive its revocation.
            raise exceptions.PermissionDenied(
                "API tokens are created from a signed-in session (the dashboard or a browser "
                "session), not with another token."
            )
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = api_token_create(user=request.user, name=serializer.validated_data["name"])
        token.key = key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        api_token_revoke(token=instance)
