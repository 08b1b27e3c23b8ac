"""When committees and meetings were created and last changed: OParl's `created` and
`modified`, which harvesters filter on (modified_since). Existing rows take the migration's
moment."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plaza", "0003_requests_due_warning"),
    ]

    operations = [
        migrations.AddField(
            model_name="committee",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="committee",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="meeting",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
    ]
