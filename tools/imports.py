"""The import layers, checked: `python -m tools.imports [ROOT]` prints each violation and exits 1 if there is one.

    config/                      wiring: settings, urls, asgi/wsgi, run, the site's /metrics; may import anything
    accounts/ billing/ designs/  the apps: import core, gpu and each other only along ALLOWED_EDGES, never config
    projects/                    (settings come from django.conf)
    core/  gpu/                  the bottom: core imports no app and not config; gpu imports nothing of ours and no
                                 Django (it runs on GPU machines without it)

and no import cycle between two apps' modules: a cycle is two modules that import each other through any chain,
at module level or inside a function (a lazy import only hides a cycle from the loader, not from the reader). Work
that must flow back up goes through the queue (an actor sent by name, designs/queues.py), not an import. The chain
of each cycle is printed, `~>` marking an import inside a function.

Plain `ast`, no Django: it reads the files, it imports none of them. tests/ and tools/ are not checked.
"""
from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

APPS = ("accounts", "billing", "designs", "projects")
BOTTOM = ("core", "gpu")
WIRING = "config"
CHECKED = (*APPS, *BOTTOM, WIRING)
DJANGO = ("django", "rest_framework", "channels", "dramatiq", "django_dramatiq", "drf_spectacular", "storages")

# Imports from one app into another: (importing app, imported module or package prefix). Short on purpose: a new
# edge is a design decision, written down here with why.
ALLOWED_EDGES: dict[tuple[str, str], str] = {
    # Designs are owned by accounts and paid for in billing.
    ("designs", "accounts.models"): "designs belong to users",
    ("designs", "accounts.requester"): "who is asking (user, guest key, network) is built in accounts",
    ("designs", "accounts.export"): "the data export runs as a designs actor (the queue's only worker set)",
    ("designs", "billing"): "a design reserves quota, is charged and refunded: billing's services and models",
    # Accounts show what billing and designs keep for a user; deleting or exporting a user touches their designs.
    ("accounts", "billing.models"): "the data export lists the user's ledger",
    ("accounts", "billing.selectors"): "the account pages and /me show the plan and quota",
    ("accounts", "billing.admin"): "the user admin shows the plan inline",
    ("accounts", "designs.models"): "deleting a user deletes their designs",
    ("accounts", "designs.services"): "sign-in adopts the guest's designs; deleting a user deletes their files",
    ("accounts", "designs.admin"): "the user admin links to their designs",
    ("accounts", "designs.remedies"): "the staff's refund action on a user",
    ("accounts", "designs.webhooks"): "the /me webhook secret is the designs' webhook signer",
    # Billing counts designs (capacity held, reports) and mails receipts.
    ("billing", "designs.models"): "quota holds and the spend report read designs",
    ("billing", "accounts.mail"): "payment mails go out through accounts' mailer",
    # A project groups designs of one home: it makes, gates and deletes them through designs.
    ("projects", "designs"): "a project's photos become designs: created, waited on, shown and deleted by designs",
    ("projects", "accounts.requester"): "who is asking",
    ("projects", "billing.selectors"): "the project pages show the plan and quota",
    ("designs", "projects.consistency"): "the worker asks a design's project whether it may run yet (the shared look)",
    ("accounts", "projects.services"): "deleting a user deletes their projects",
    ("accounts", "projects.export"): "the data export lists the user's projects",
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module, dotted (a name imported from a package resolves to its submodule)
    path: Path
    line: int
    module_level: bool


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(root: Path, module: str, name: str | None) -> str:
    """`from designs import metrics` imports the module designs.metrics; `from designs.models import Design` the
    module designs.models."""
    if name is not None:
        candidate = f"{module}.{name}"
        base = root.joinpath(*candidate.split("."))
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            return candidate
    return module


@functools.cache
def _parse(text: str) -> ast.Module:
    """Parsed once per content: the tests check copies of the same files many times over."""
    return ast.parse(text)


def imports_of(root: Path, path: Path) -> Iterator[Import]:
    source = module_name(root, path)
    tree = _parse(path.read_text())
    module_level = {id(node) for node in tree.body} | {
        id(child) for node in tree.body if isinstance(node, ast.Try | ast.If) for child in ast.walk(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the importing package
                package = source.split(".")[: len(source.split(".")) - node.level + (path.name == "__init__.py")]
                base = ".".join([*package, node.module] if node.module else package)
            else:
                base = node.module or ""
            targets = [_resolve(root, base, alias.name) for alias in node.names]
        else:
            continue
        for target in targets:
            yield Import(source, target, path, node.lineno, id(node) in module_level)


def _layer(module: str) -> str:
    return module.split(".")[0]


def _allowed(source_app: str, target: str) -> bool:
    return any(app == source_app and (target == prefix or target.startswith(prefix + "."))
               for app, prefix in ALLOWED_EDGES)


def layer_violations(imports: list[Import]) -> Iterator[str]:
    for imp in imports:
        source, target = _layer(imp.source), _layer(imp.target)
        where = f"{imp.path}:{imp.line}: {imp.source} imports {imp.target}"
        if source == target or target not in CHECKED and not (source == "gpu" and target in DJANGO):
            continue
        if source == "core":
            yield f"{where}: core imports no app and not config"
        elif source == "gpu":
            yield f"{where}: gpu imports nothing of ours and no Django"
        elif source in APPS and target == WIRING:
            yield f"{where}: an app imports config (settings come from django.conf)"
        elif source in APPS and target in APPS and not _allowed(source, imp.target):
            yield f"{where}: not an allowed edge between apps (tools/imports.py ALLOWED_EDGES)"


def unused_edges(imports: list[Import]) -> Iterator[str]:
    """An allowed edge nothing takes any more is struck off, so the list stays the truth and stays short."""
    for app, prefix in ALLOWED_EDGES:
        if not any(_layer(imp.source) == app and (imp.target == prefix or imp.target.startswith(prefix + "."))
                   for imp in imports):
            yield f"tools/imports.py: ALLOWED_EDGES lists {app} -> {prefix}, which nothing imports: remove it"


def cycle_violations(imports: list[Import]) -> Iterator[str]:
    """Strongly connected groups of modules, through any imports, that span two apps: each named by one chain."""
    graph: dict[str, set[str]] = {}
    lazy: set[tuple[str, str]] = set()  # edges taken only inside functions
    eager = {(imp.source, imp.target) for imp in imports if imp.module_level}
    for imp in imports:
        if imp.source != imp.target:
            graph.setdefault(imp.source, set()).add(imp.target)
            if (imp.source, imp.target) not in eager:
                lazy.add((imp.source, imp.target))
    for group in _strongly_connected(graph):
        if len({_layer(module) for module in group} & set(APPS)) > 1:
            chain = _cycle_through(graph, set(group), min(group))
            links = "".join(f" {'~>' if (a, b) in lazy else '->'} {b}" for a, b in zip(chain, chain[1:], strict=False))
            yield f"import cycle between apps: {chain[0]}{links}"


def _cycle_through(graph: dict[str, set[str]], group: set[str], start: str) -> list[str]:
    """The shortest chain from `start` back to itself inside its group (breadth first), both ends included."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph.get(node, ()) & group):
                if child == start:
                    chain = [node]
                    while chain[-1] != start:
                        chain.append(came_from[chain[-1]])
                    return [*reversed(chain), start]
                if child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    return [start, start]  # not reached: a group of two or more always leads back


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively (the graph has hundreds of modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in list(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(group)
    return groups


def check(root: Path) -> list[str]:
    imports = [imp for layer in CHECKED for path in sorted((root / layer).rglob("*.py"))
               if "migrations" not in path.parts for imp in imports_of(root, path)]
    return [*layer_violations(imports), *unused_edges(imports), *cycle_violations(imports)]


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parents[1]
    violations = check(root)
    for violation in violations:
        print(violation)
    print(f"imports: {len(violations)} violation(s)" if violations else "imports: layers and app edges are clean")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
