"""A process tree's CPU time, read from Linux's ``/proc`` (for the benchmark scripts).

``/usr/bin/time`` adds a child's CPU only once its parent waited for it, so it misses
Chromium's renderers (reaped by Chromium's zygote); these scripts read every process of
the tree instead. One listing of ``/proc`` per look: each process's parent and CPU time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Stat:
    """One process as ``/proc/PID/stat`` shows it, CPU in seconds (user + system)."""

    parent: int
    cpu: float
    children_cpu: float  # of its children it has waited for


def snapshot() -> dict[int, Stat]:
    """Every process now (those ending during the listing are left out)."""
    found: dict[int, Stat] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()
        found[int(entry)] = Stat(
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / TICK,
            (int(fields[13]) + int(fields[14])) / TICK,
        )
    return found


def descendants(stats: dict[int, Stat], root: int) -> set[int]:
    """``root`` and every process below it, whatever the depth."""
    children: dict[int, list[int]] = {}
    for pid, stat in stats.items():
        children.setdefault(stat.parent, []).append(pid)
    found, pending = {root}, [root]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def command_line(pid: int) -> str:
    """The process's arguments joined by spaces ('' once it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()
