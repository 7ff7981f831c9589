from django.db import migrations, models

# PostgreSQL only: pg_trgm and a trigram index on the expression people/search.py
# matches names with. SQLite searches without it (see people/search.py).
TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS people_person_name_trgm ON people_person "
    "USING gin ((lower(first_name || ' ' || last_name)) gin_trgm_ops)"
)


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(TRIGRAM_INDEX)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS people_person_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("people", "0002_person_merged_into")]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["date_of_birth"], name="people_person_born"),
        ),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
