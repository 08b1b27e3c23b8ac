"""Disclosure requests remember that their department was warned of the coming deadline, so the
hourly task warns once per deadline (again after an extension)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("plaza", "0002_search_index")]
    operations = [
        migrations.AddField(
            model_name="disclosurerequest",
            name="due_soon_notified",
            field=models.BooleanField(default=False),
        ),
    ]
