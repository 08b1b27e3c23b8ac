"""Where the root API found the desk's router before the desk became a package: kept only until
hamkke/api.py imports `hamkke.complaints.desk.api.router` itself; then delete this module."""

from hamkke.complaints.desk.api import router

__all__ = ["router"]
