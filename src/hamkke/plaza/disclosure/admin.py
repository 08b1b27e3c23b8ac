"""Back-office screens of the Plaza's disclosure (imported by plaza/admin.py)."""
