"""``collaudo up``: the whole stack on embedded defaults, until Ctrl-C.

Platform sim, payment proxy (for the chosen intermediary), MyPay, GPD and
GovPay simulators, pagoPA Checkout + Nodo mock; each URL is printed. The proxy's API
token comes from ``COLLAUDO_API_TOKEN``, or is generated and printed.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from collaudo import contract_facts
from collaudo.stack import DEFAULT_PORTS, INTERMEDIARIES, StackError, StackOptions, StackThread


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("up", help="start the whole stack for a person to click through")
    parser.add_argument("--intermediary", choices=INTERMEDIARIES, default="mypay")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--data-dir", type=Path, default=Path(".collaudo"))
    parser.add_argument(
        "--docker", action="store_true", help="start the stack through a Docker engine instead"
    )
    for name, port in DEFAULT_PORTS.items():
        parser.add_argument(f"--{name}-port", type=int, default=port, metavar="PORT")
    parser.set_defaults(func=up)


def _docker(args: argparse.Namespace) -> int:
    from collaudo import docker_stack

    ports = {name: getattr(args, f"{name}_port") for name in DEFAULT_PORTS}
    return docker_stack.up(
        args.intermediary,
        ports,
        api_token=os.environ.get("COLLAUDO_API_TOKEN"),
        host=args.host,
    )


def up(args: argparse.Namespace) -> int:
    if args.docker:
        return _docker(args)
    ports = {name: getattr(args, f"{name}_port") for name in DEFAULT_PORTS}
    token = os.environ.get("COLLAUDO_API_TOKEN")
    options = StackOptions(
        intermediary=args.intermediary,
        host=args.host,
        ports=ports,
        data_dir=args.data_dir,
        api_token=token,
    )
    for problem in contract_facts.simulated_stack_problems(args.intermediary):
        print(f"collaudo up: the stack cannot start: {problem}", file=sys.stderr)
        return 1
    print(f"starting the stack for {args.intermediary} …", flush=True)
    runner = StackThread(options)
    try:
        stack = runner.start()
    except StackError as exc:
        print(f"collaudo up: {exc}", file=sys.stderr)
        return 1
    for what, url in stack.describe():
        print(f"  {what:<44} {url}")
    if token:
        print("  proxy API token                              from COLLAUDO_API_TOKEN")
    else:
        print(f"  proxy API token (generated)                  {stack.api_token}")
    print(contract_facts.run_line())
    print("ready: open the citizen page and pay with card 4242 4242 4242 4242. Ctrl-C stops.")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    print("\nstopping …", flush=True)
    runner.stop()
    print("stopped.")
    return 0
