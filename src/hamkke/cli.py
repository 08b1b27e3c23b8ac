"""The `hamkke` command: `hamkke demo | serve | migrate | city load NAME | <app> <verb> …`.

Every verb is a Django management command, so `hamkke` is manage.py under a better name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hamkke.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["hamkke", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
