"""``kubectl set env daemonset aws-node -n kube-system NAME=value …`` as CNI settings.

The resource may be written ``daemonset aws-node``, ``ds aws-node``, ``ds/aws-node``,
``daemonset/aws-node`` or ``daemonset.apps/aws-node``; the namespace must be
``kube-system`` (``-n``, ``-n=``, ``-nkube-system``, ``--namespace[=]``, before or after
``set env``). Variables come as ``NAME=value`` arguments or ``-e``/``--env``; ``NAME-``
unsets (value None). A ``-c``/``--containers`` selecting another container (the
``aws-vpc-cni-init`` init container) and ``--list`` are not CNI settings.
"""

from __future__ import annotations

import fnmatch
import re

from eksguard.adapters.scripts.interpret import Arg, Context
from eksguard.model import UNKNOWN, CniSettings

_DAEMONSET = frozenset({"daemonset", "daemonsets", "ds", "daemonset.apps", "daemonsets.apps"})
_KUBECTL_VALUE_FLAGS = frozenset({
    "-n", "--namespace", "-c", "--containers", "-e", "--env", "-f", "--filename", "--from", "--keys", "--prefix",
    "-l", "--selector", "-o", "--output", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server",
    "--token", "--field-manager", "--template", "--request-timeout", "--as", "--as-group", "--as-uid",
    "--certificate-authority", "--client-certificate", "--client-key", "--tls-server-name", "--password",
    "--username", "--cache-dir", "-v", "--v", "--log-dir", "--dry-run", "-k", "--kustomize",
})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def is_set_env(args: list[Arg]) -> bool:
    """``kubectl … set env`` that may target aws-node (possibly cut short)."""
    positional = [a.text for a in _kubectl_parse(args)[1]]
    if positional[:1] != ["set"] or positional[1:2] not in ([], ["env"]):
        return False
    resources = [t for t in positional[2:] if "=" not in t and not t.endswith("-")]
    return len(resources) < 2 and not any("/" in t for t in resources) or _is_aws_node(resources)


def _kubectl_parse(args: list[Arg]) -> tuple[dict[str, list[Arg]], list[Arg]]:
    """kubectl flags (``-n x``, ``-n=x``, ``-nx``, ``--namespace x``, ``--namespace=x``) and positionals."""
    flags: dict[str, list[Arg]] = {}
    positional: list[Arg] = []
    i = 1
    while i < len(args):
        arg, text = args[i], args[i].text
        if text == "--":
            positional.extend(args[i + 1 :])
            break
        if text.startswith("-") and len(text) > 1:
            eq = text.find("=")
            if eq > 0:
                flags.setdefault(text[:eq], []).append(arg.tail(eq + 1))
            elif text in _KUBECTL_VALUE_FLAGS and text != "--dry-run":
                if i + 1 < len(args):
                    flags.setdefault(text, []).append(args[i + 1])
                i += 2
                continue
            elif len(text) > 2 and text[1] != "-" and text[:2] in _KUBECTL_VALUE_FLAGS:
                flags.setdefault(text[:2], []).append(arg.tail(2))
            else:
                flags.setdefault(text, [])
            i += 1
            continue
        positional.append(arg)
        i += 1
    return flags, positional


def set_env(args: list[Arg], ctx: Context) -> None:
    """``kubectl set env`` on DaemonSet ``kube-system/aws-node``: one :class:`CniSettings`."""
    flags, positional = _kubectl_parse(args)
    if [a.text for a in positional[:2]] != ["set", "env"] or "--list" in flags:
        return
    namespaces = flags.get("-n", []) + flags.get("--namespace", [])
    if not namespaces or namespaces[-1].value != "kube-system":
        return
    containers = flags.get("-c", []) + flags.get("--containers", [])
    if containers and not (isinstance(containers[-1].value, str) and fnmatch.fnmatch("aws-node", containers[-1].value)):
        return
    resources: list[str] = []
    assignments: list[Arg] = list(flags.get("-e", []) + flags.get("--env", []))
    for arg in positional[2:]:
        if "=" in arg.text or arg.text.endswith("-"):
            assignments.append(arg)
        else:
            resources.append(arg.text)
    if not _is_aws_node(resources) or not assignments:
        return
    settings = CniSettings("aws-node", ctx.origin, ctx.loc(args[0]))
    for arg in assignments:
        eq = arg.text.find("=")
        name = arg.text[:eq] if eq >= 0 else arg.text[:-1]
        if not _ENV_NAME.fullmatch(name):
            continue
        if eq < 0:
            settings.set(name, None, ctx.loc(arg))
        else:
            value = arg.text[eq + 1 :]
            settings.set(name, value if arg.known else UNKNOWN, ctx.loc(arg))
    if settings.settings:
        ctx.sink.add(settings)


def _is_aws_node(resources: list[str]) -> bool:
    kind = None
    for text in resources:
        if "/" in text:
            kind_part, _, name = text.partition("/")
            if kind_part.lower() in _DAEMONSET and name == "aws-node":
                return True
        elif kind is None:
            kind = text.lower()
        elif kind in _DAEMONSET and text == "aws-node":
            return True
    return False
