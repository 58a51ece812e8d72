from django.db import migrations

# Frozen here on purpose: a migration must not change when roles.py is edited later.
GROUPS = ["NTD-behandelaars", "Privacyfunctionarissen", "Contractbeheerders"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("isimedia", "0001_users_closing_days_outbox"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
