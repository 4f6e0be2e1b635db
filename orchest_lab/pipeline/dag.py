"""The step graph of a pipeline: parents, children, order, cycles and run-mode step sets.

Edges run parent -> child and come from each step's `incoming_connections`; connections to
unknown steps and repeated connections are left out here (validation reports them). Everything is
linear in the size of the graph, so 1,000-step pipelines take well under a millisecond or two.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from .issues import IssueError

RunMode = Literal["full", "selection", "incoming", "downstream", "outdated"]
# `outdated`: the selected steps and their ancestors (none selected: every step) that are out of
# date; which those are is known from the steps' outputs, not from the graph (see plan.py).
RUN_MODES: tuple[RunMode, ...] = ("full", "selection", "incoming", "downstream", "outdated")


class CycleError(IssueError):
    code = "cycle"

    def __init__(self, cycle: list[str]) -> None:
        super().__init__(
            "the pipeline has a cycle: " + " -> ".join(cycle),
            "/steps",
            related_step_uuids=tuple(dict.fromkeys(cycle)),
        )
        self.cycle = cycle


@dataclass(frozen=True)
class Dag:
    order: tuple[str, ...]  # step uuids in file order, used to break ties deterministically
    parents: dict[str, tuple[str, ...]]  # in `incoming_connections` order
    children: dict[str, tuple[str, ...]]

    @classmethod
    def from_steps(cls, steps: dict[str, dict[str, Any]]) -> Dag:
        parents: dict[str, tuple[str, ...]] = {}
        children: dict[str, list[str]] = {uuid: [] for uuid in steps}
        for uuid, step in steps.items():
            connections = step.get("incoming_connections")
            known: list[str] = []
            if isinstance(connections, list):
                for parent in connections:
                    if isinstance(parent, str) and parent in children and parent not in known:
                        known.append(parent)
                        children[parent].append(uuid)
            parents[uuid] = tuple(known)
        return cls(tuple(steps), parents, {u: tuple(c) for u, c in children.items()})

    def __len__(self) -> int:
        return len(self.order)

    def edges(self) -> Iterable[tuple[str, str]]:
        for child in self.order:
            for parent in self.parents[child]:
                yield parent, child

    def topological_order(self, subset: Iterable[str] | None = None) -> list[str]:
        """Kahn's algorithm over `subset` (default: all steps); ties go to file order.

        Raises CycleError naming the steps of one cycle when there is one.
        """
        members = set(self.order if subset is None else subset)
        rank = {uuid: i for i, uuid in enumerate(self.order)}
        waiting = {u: sum(1 for p in self.parents[u] if p in members) for u in members}
        ready = [rank[u] for u, n in waiting.items() if n == 0]
        heapq.heapify(ready)
        result: list[str] = []
        while ready:
            uuid = self.order[heapq.heappop(ready)]
            result.append(uuid)
            for child in self.children[uuid]:
                if child in members:
                    waiting[child] -= 1
                    if waiting[child] == 0:
                        heapq.heappush(ready, rank[child])
        if len(result) != len(members):
            raise CycleError(self.cycles(members - set(result))[0])
        return result

    def cycles(self, candidates: Iterable[str] | None = None) -> list[list[str]]:
        """One cycle (closed: first == last) for each strongly connected part that loops."""
        cycles: list[list[str]] = []
        rank = {uuid: i for i, uuid in enumerate(self.order)}
        for component in self._strongly_connected(candidates):
            start = min(component, key=rank.__getitem__)
            if len(component) == 1 and start not in self.children[start]:
                continue
            cycles.append(self._cycle_through(start, component))
        return cycles

    def ancestors(self, uuids: Iterable[str]) -> set[str]:
        return self._reach(uuids, self.parents)

    def descendants(self, uuids: Iterable[str]) -> set[str]:
        return self._reach(uuids, self.children)

    def steps_for_mode(self, mode: RunMode, selected: Iterable[str] = ()) -> set[str]:
        chosen = set(selected)
        if mode == "full":
            return set(self.order)
        if mode == "selection":
            return chosen
        if mode == "incoming":
            return chosen | self.ancestors(chosen)
        if mode == "downstream":
            return chosen | self.descendants(chosen)
        if mode == "outdated":  # the candidates; the plan keeps those that are out of date
            return chosen | self.ancestors(chosen) if chosen else set(self.order)
        raise ValueError(f"unknown run mode {mode!r}")

    # --- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _reach(start: Iterable[str], edges: dict[str, tuple[str, ...]]) -> set[str]:
        """Every node reachable from `start` along `edges`, excluding the start nodes themselves
        unless they are reachable from another start node."""
        seen: set[str] = set()
        stack = [n for s in start for n in edges[s]]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(edges[node])
        return seen

    def _strongly_connected(self, candidates: Iterable[str] | None) -> list[set[str]]:
        """Tarjan's algorithm, iterative so that long chains do not hit the recursion limit."""
        members = set(self.order if candidates is None else candidates)
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        components: list[set[str]] = []
        for root in self.order:
            if root not in members or root in index:
                continue
            work: list[tuple[str, int]] = [(root, 0)]
            while work:
                node, child_i = work.pop()
                if child_i == 0:
                    index[node] = low[node] = len(index)
                    stack.append(node)
                    on_stack.add(node)
                children = [c for c in self.children[node] if c in members]
                if child_i < len(children):
                    work.append((node, child_i + 1))
                    child = children[child_i]
                    if child not in index:
                        work.append((child, 0))
                    elif child in on_stack:
                        low[node] = min(low[node], index[child])
                    continue
                if low[node] == index[node]:
                    component: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
        return components

    def _cycle_through(self, start: str, component: set[str]) -> list[str]:
        """A shortest cycle from `start` back to itself inside `component` (breadth-first)."""
        previous: dict[str, str] = {}
        frontier = [start]
        while frontier:
            following: list[str] = []
            for node in frontier:
                for child in self.children[node]:
                    if child == start:
                        path = [node]
                        while path[-1] != start:
                            path.append(previous[path[-1]])
                        return [start, *reversed(path[:-1]), start]
                    if child in component and child not in previous:
                        previous[child] = node
                        following.append(child)
            frontier = following
        return [start, start]  # unreachable for a looping component
