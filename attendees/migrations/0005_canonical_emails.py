"""Store every person's address in its canonical form (attendees.emails).

Addresses were lower-cased before; a few (full-width letters, compatibility characters, an
upper-case internationalized domain) have another canonical form. An address whose canonical
form another person already has is left as it is (the two are told apart by hand); one that
cannot be made canonical (a look-alike) is left too, and compares only with itself.
"""

from django.db import migrations


def canonical_emails(apps, schema_editor):
    from attendees.emails import InvalidEmail, email_normalize

    Person = apps.get_model("attendees", "Person")
    taken = set(Person.objects.exclude(email="").values_list("email", flat=True))
    for pk, email in Person.objects.exclude(email="").values_list("pk", "email").iterator():
        try:
            canonical = email_normalize(email)
        except InvalidEmail:
            continue
        if canonical != email and canonical not in taken:
            Person.objects.filter(pk=pk).update(email=canonical)
            taken.add(canonical)


class Migration(migrations.Migration):
    dependencies = [("attendees", "0004_email_change")]

    operations = [migrations.RunPython(canonical_emails, migrations.RunPython.noop)]
