"""Shared reads of the matching domain: ``problem`` (what a round's problem is made of),
``runs`` (which run is which), ``plans`` (a plan for review), ``tables`` (an attendee's table
and tablemates), ``export`` (a person's data export)."""
