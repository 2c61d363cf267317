"""Personal API tokens: create one (its key is shown once) and revoke it.

Only the SHA-256 of a key is stored (``ApiToken.key_hash``); ``api.authentication``
looks a presented key up by that hash.
"""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from attendees.models import ApiToken, hash_secret
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
