"""Back-office screens of the Plaza's opendata (imported by plaza/admin.py)."""
