"""Session stores that write a new session once.

Django's stores save a session the moment it gets a key (``create``), after asking the
database whether the key is taken; signing in (``login`` cycles the key) then saves it again
when the response goes out. A first sign-in thus cost a look-up and two writes, each its own
transaction, where one insert says the same. These stores keep Django's behaviour otherwise:

- ``create`` draws the key and leaves the session unsaved but modified, so the response's save
  (``SessionMiddleware``) inserts it;
- that insert fails only if the key is taken (a unique key of 32 random characters); another
  key is drawn and the insert tried again, which is what ``create`` did before.

``SESSION_ENGINE`` names ``config.sessions.db`` (no shared cache) or ``config.sessions.cached_db``
(Redis in front of the database).
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.utils.crypto import get_random_string


class InsertOnce:
    """For a store whose ``save(must_create=True)`` inserts and raises ``CreateError`` on a
    taken key (Django's ``db`` and ``cached_db``)."""

    _unsaved_key = False

    def create(self):
        self._session_key = get_random_string(32, VALID_KEY_CHARS)
        self._unsaved_key = True
        self.modified = True

    def save(self, must_create=False):
        if self.session_key is None:
            self.create()
        if not self._unsaved_key:
            return super().save(must_create=must_create)
        while True:
            try:
                super().save(must_create=True)
            except CreateError:
                self._session_key = get_random_string(32, VALID_KEY_CHARS)
                continue
            self._unsaved_key = False
            return None
