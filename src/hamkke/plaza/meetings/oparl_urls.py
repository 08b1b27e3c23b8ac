"""OParl 1.1-shaped JSON of meetings (/oparl/v1/…)."""

urlpatterns: list = []
