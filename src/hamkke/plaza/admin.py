"""Back-office screens of the Plaza."""
