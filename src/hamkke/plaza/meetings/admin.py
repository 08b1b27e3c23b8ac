"""Back-office screens of the Plaza's meetings (imported by plaza/admin.py)."""
