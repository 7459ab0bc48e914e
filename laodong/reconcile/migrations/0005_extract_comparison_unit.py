from django.db import migrations, models


class Migration(migrations.Migration):
    """A population extract may cover a province: the comparison's unit, its status (a
    province's runs in the background) and its counts per commune."""

    dependencies = [
        ("reconcile", "0004_cross_commune_duplicates"),
    ]

    operations = [
        migrations.RenameField(model_name="extractcomparison", old_name="commune", new_name="unit"),
        migrations.AddField(
            model_name="extractcomparison",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Chờ so sánh"),
                    ("running", "Đang so sánh"),
                    ("done", "Đã xong"),
                    ("failed", "Lỗi"),
                ],
                default="done",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="extractcomparison",
            name="by_commune",
            field=models.JSONField(default=list),
        ),
    ]
