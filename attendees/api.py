"""API views of the attendees app: the signed-in person's own data, and their API tokens.

Views only parse, call a service or selector, and render. Every queryset is scoped to the
requesting user, so anybody else's object answers 404.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from config.throttling import LoginRateThrottle

from .models import ApiToken
from .serializers import ApiTokenCreatedSerializer, ApiTokenCreateSerializer, ApiTokenSerializer
from .tokens import api_token_create, api_token_revoke


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
        "only a hash of it is stored.",
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer},
    )
    def create(self, request):
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = api_token_create(user=request.user, name=serializer.validated_data["name"])
        token.key = key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        api_token_revoke(token=instance)
