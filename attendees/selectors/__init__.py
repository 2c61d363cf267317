"""Shared reads about people, one module per concern: ``people`` (profile, registrations,
the newcomer rule, tie weights), ``rounds``, ``encounters``, ``network``, ``search``, ``wishes``."""
