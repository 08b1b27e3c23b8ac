"""The ingest counters by the hour: what the desk's "last day" figures read. The counters of
iot.models.IngestCounter count since the start; these keep each hour apart, so a day's refusals
are not drowned in a year's."""

from __future__ import annotations

from django.db import models


class IngestTally(models.Model):
    """How many messages the city's ingestion took or refused for one reason in one UTC hour."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16)  # one of iot.models.Reason
    hour = models.DateTimeField()
    count = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["hour", "reason"]
        constraints = [
            models.UniqueConstraint(fields=["city", "reason", "hour"], name="iot_tally_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.hour:%Y-%m-%d %H:00}: {self.count}"
