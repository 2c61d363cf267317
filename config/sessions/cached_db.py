"""Sessions read from the shared cache and written through to the database, a new one written
once (``config.sessions``)."""

from django.contrib.sessions.backends import cached_db

from config.sessions import InsertOnce


class SessionStore(InsertOnce, cached_db.SessionStore):
    pass
