"""A third-party eksguard plugin used by tests: one rule (with its check) and one formatter.

It is found through the ``eksguard`` entry-point group only; eksguard's code knows
nothing about it.
"""

from pathlib import Path

from eksguard.checks import Check
from eksguard.findings import Violation
from eksguard.formatters import Formatter
from eksguard.hookspecs import hookimpl
from eksguard.model import Workload


def latest_tag(platform, params):
    for workload in platform.of_kind(Workload):
        containers = workload.get("spec", "template", "spec", "containers", default=[])
        for index, container in enumerate(containers if isinstance(containers, list) else []):
            image = container.get("image") if isinstance(container, dict) else None
            if isinstance(image, str) and (image.endswith(":latest") or ":" not in image.rsplit("/", 1)[-1]):
                path = ("spec", "template", "spec", "containers", index, "image")
                yield Violation(
                    location=workload.location(*path),
                    message=f"{workload.kind} {workload.name} runs image {image} without a pinned tag",
                    object=workload.ref,
                    json_path=workload.json_path(*path),
                )


class CountFormatter(Formatter):
    name = "count"

    def start(self):
        self.count = 0

    def handle(self, finding):
        self.count += 1

    def stop(self):
        self.stream.write(f"{self.count} findings\n")


@hookimpl
def eksguard_register_rule_dirs():
    return [Path(__file__).parent / "rules"]


@hookimpl
def eksguard_register_checks():
    return [Check("latest-image-tag", latest_tag)]


@hookimpl
def eksguard_register_formatters():
    return {"count": CountFormatter}
