"""Sessions in the database, a new one written once (``config.sessions``)."""

from django.contrib.sessions.backends import db

from config.sessions import InsertOnce


class SessionStore(InsertOnce, db.SessionStore):
    pass
