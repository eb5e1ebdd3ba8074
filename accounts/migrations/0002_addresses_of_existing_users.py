"""Accounts from before allauth get an address row, unverified: the new-tune form
then offers them the verification link like anyone else."""

from django.db import migrations


def add_addresses(apps, schema_editor):
    User = apps.get_model("auth", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    taken = set(EmailAddress.objects.values_list("email", flat=True))
    for user in User.objects.exclude(email="").filter(emailaddress__isnull=True).iterator():
        email = user.email.lower()
        if email in taken:  # two old accounts with one address: the first keeps it
            continue
        EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
        taken.add(email)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(add_addresses, migrations.RunPython.noop)]
