"""`python -m bench [NAME ...] [--quick] [--json] [--list]`: run benchmarks, print the results.
A benchmark whose data is absent is reported as skipped; one that breaks, as failed."""

from __future__ import annotations

import argparse
import signal
import sys
import traceback

from bench.runner import (
    ONLY_WHEN_NAMED,
    BenchmarkSkipped,
    Result,
    UnknownBenchmark,
    benchmark_names,
    default_names,
    format_notes,
    format_table,
    run_benchmark,
    to_json,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run Hamkke's benchmarks; each prints a figure, its baseline and the ratio.",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run (default: all but {', '.join(sorted(ONLY_WHEN_NAMED))}, "
        "which run only when named)",
    )
    parser.add_argument("--list", action="store_true", help="name the benchmarks and stop")
    parser.add_argument("--quick", action="store_true", help="short runs (a couple of minutes)")
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object per benchmark instead of a table"
    )
    return parser


def _exit_on_sigterm(signum, frame) -> None:
    # SystemExit unwinds the `with` blocks, so a stopped run still stops the servers it started.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if args.list:
        print("\n".join(benchmark_names()))
        return 0
    names = args.names or list(default_names())
    unknown = [name for name in names if name not in benchmark_names()]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(benchmark_names())}",
            file=sys.stderr,
        )
        return 2

    results: list[Result] = []
    failures: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    for name in names:
        print(f"[bench] {name}{' (quick)' if args.quick else ''} …", file=sys.stderr, flush=True)
        try:
            result = run_benchmark(name, quick=args.quick)
        except (KeyboardInterrupt, UnknownBenchmark):
            raise
        except BenchmarkSkipped as reason:  # its data is absent: say where to get it, go on
            print(f"[bench] {name} skipped: {reason}", file=sys.stderr, flush=True)
            skipped.append((name, str(reason)))
            continue
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc(file=sys.stderr)
            failures.append((name, f"{exc.__class__.__name__}: {exc}"))
            continue
        results.append(result)
        if args.json:
            print(to_json(result), flush=True)

    if not args.json:
        print(format_table(results, failures, skipped))
        notes = format_notes(results, failures, skipped)
        if notes:
            print()
            print(notes)
    elif failures or skipped:
        # stdout keeps one JSON object per benchmark that ran; the rest is said on stderr.
        print(format_notes([], failures, skipped), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
