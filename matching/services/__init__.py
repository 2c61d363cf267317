"""The matching domain's services, one module per concern.

- ``problem``: build an engine problem from a round (and export it as a format-v1 file);
- ``runs``: request, cancel, execute, store and sweep matching runs (``progress`` reports
  a working run's heartbeat; ``portfolio`` spreads extra seeds over the workers);
- ``seating``: move a person by hand in a plan under review;
- ``lifecycle``: the round's statuses and every move between them (open, publish, unpublish,
  held, cancel, ...), with their guards and side effects; ``allowed_actions`` for pages;
- ``rounds``: a round's details and status changed together (the API's create and PATCH);
- ``notices``: the e-mails that tell attendees their table.
"""
