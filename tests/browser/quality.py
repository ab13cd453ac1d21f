"""Quality checks run on every page a browser journey visits.

For each step a journey calls ``Journey.check(page, step)`` right after the navigation or form
submission that produced the page. The check:

- runs axe-core in the page (injected as an init script, which the page's CSP cannot block)
  and fails on any violation of impact "serious" or "critical"; every violation, failing or
  not, goes to ``test-artifacts/browser/accessibility.json``;
- at the desktop width (1280 px), fails when the page scrolls sideways or any box that scrolls
  sideways (a table's wrapper) needs to: at that width every table fits its container;
- re-lays the page out at 360 x 740 px and fails when the document scrolls horizontally
  (wide tables must scroll inside their own wrapper), with a screenshot at that width;
- adds up what the page's first load transfers (document, CSS, JS, images, fonts) and fails
  above ``MAX_PAGE_BYTES``; the figures go to ``test-artifacts/browser/page-weight.json``;
- saves a full-page screenshot named ``<journey>-<nn>-<step>.png``.

Problems are collected rather than raised at once, so one run lists all of them; the
``journey`` fixture fails the test at the end if there were any, or if a page that was loaded
was never checked.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
SMALL_SCREEN = {"width": 360, "height": 740}
MAX_PAGE_BYTES = 300 * 1024
# Enough of a node's markup to find it in the template; the full node is in the page.
HTML_EXCERPT = 300

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(rule => ({
    rule: rule.id, impact: rule.impact, help: rule.help, helpUrl: rule.helpUrl,
    nodes: rule.nodes.map(node => ({target: node.target.map(String), html: node.html,
                                    summary: node.failureSummary}))
  }));
}"""

# The journeys' pages run with the browser cache off (``disable_cache``), so every page's
# entries show what a first visit transfers: headers and bodies as sent over the network.
PAGE_WEIGHT = """() => {
  const entries = [...performance.getEntriesByType("navigation"),
                   ...performance.getEntriesByType("resource")];
  return entries.filter(entry => !entry.name.startsWith("data:")).map(entry => ({
    url: entry.name, type: entry.initiatorType || "navigation", bytes: entry.transferSize
  }));
}"""

# Which elements stick out of the viewport, outermost first, ignoring anything inside a box
# that scrolls or clips horizontally (a table in its scrolling wrapper is fine).
OVERFLOW = """() => {
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= width + 1) return {scrollWidth, width, offenders: []};
  const describe = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  // A box clips a descendant only if it is, or contains, the descendant's containing block:
  // an absolutely positioned element escapes scrolling boxes below its positioned ancestor.
  const clipped = el => {
    let escaping = getComputedStyle(el).position === "absolute";
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (escaping && style.position === "static") continue;
      if (style.overflowX !== "visible") return true;
      escaping = style.position === "absolute";
    }
    return false;
  };
  const sticksOut = el => el.getBoundingClientRect().right > width + 1 && !clipped(el);
  const offenders = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (getComputedStyle(el).position === "fixed" || !sticksOut(el)) continue;
    if (el.parentElement && el.parentElement !== document.body && sticksOut(el.parentElement)
        && el.parentElement.getBoundingClientRect().right >= el.getBoundingClientRect().right)
      continue;
    offenders.push(describe(el) + " (right edge at " +
                   Math.round(el.getBoundingClientRect().right) + "px)");
    if (offenders.length >= 8) break;
  }
  return {scrollWidth, width, offenders};
}"""


# At the desktop width: the document, and every box that scrolls sideways, must fit.
WIDE_BOXES = """() => {
  const describe = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const boxes = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth + 1)
    boxes.push("the page (" + root.scrollWidth + "px in " + window.innerWidth + "px)");
  for (const el of document.body.querySelectorAll("*")) {
    const overflow = getComputedStyle(el).overflowX;
    if ((overflow === "auto" || overflow === "scroll") && el.scrollWidth > el.clientWidth + 1)
      boxes.push(describe(el) + " (" + el.scrollWidth + "px in " + el.clientWidth + "px)");
    if (boxes.length >= 8) break;
  }
  return boxes;
}"""


def install(context) -> None:
    """Make axe-core available in every document the context opens."""
    context.add_init_script(path=str(AXE_SCRIPT))


def disable_cache(page) -> None:
    """Every load of the page fetches everything again, so the Performance API's sizes are
    those of a first visit, whatever the journey loaded before."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": True})


@dataclass
class QualityReport:
    """What every check of the session found, written out when the session ends."""

    accessibility: list[dict] = field(default_factory=list)
    weights: list[dict] = field(default_factory=list)

    def write(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "accessibility.json").write_text(
            json.dumps(self.accessibility, indent=2, ensure_ascii=False), encoding="utf-8")
        (directory / "page-weight.json").write_text(
            json.dumps(self.weights, indent=2, ensure_ascii=False), encoding="utf-8")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "page"


class Journey:
    """One journey's steps: numbered checks, their screenshots and the problems found."""

    def __init__(self, name: str, report: QualityReport, artifacts: Path):
        self.name = name
        self.report = report
        self.artifacts = artifacts
        self.problems: list[str] = []
        self._steps = 0
        # Documents loaded and checks made, per page and address. Counting (rather than
        # pairing each load with the next check) does not depend on when Playwright delivers
        # the load event, and still catches a page visited twice but checked once.
        self._loads: Counter[tuple[int, str]] = Counter()
        self._checks: Counter[tuple[int, str]] = Counter()

    def watch(self, page) -> None:
        """Count every document the page loads, to tell at the end which went unchecked."""
        page.on("load", lambda loaded: self._loads.update([(id(loaded), loaded.url)]))

    def check(self, page, step: str) -> None:
        page.wait_for_load_state("load")
        self._steps += 1
        label = f"{self.name}-{self._steps:02d}-{_slug(step)}"
        where = f"{label} ({page.url})"
        self._checks.update([(id(page), page.url)])
        self._check_accessibility(page, label, where)
        self._check_weight(page, label, where)
        page.screenshot(path=str(self.artifacts / f"{label}.png"), full_page=True)
        self._check_desktop_fit(page, where)
        self._check_small_screen(page, label, where)

    def unchecked_pages(self) -> list[str]:
        return sorted({url for (page, url), count in self._loads.items()
                       if self._checks[(page, url)] < count})

    # The checks ------------------------------------------------------------------------------

    def _check_accessibility(self, page, label: str, where: str) -> None:
        for violation in page.evaluate(RUN_AXE):
            fails = violation["impact"] in FAILING_IMPACTS
            nodes = [{**node, "html": node["html"][:HTML_EXCERPT]}
                     for node in violation["nodes"]]
            self.report.accessibility.append({
                "journey": self.name, "step": label, "url": page.url,
                "rule": violation["rule"], "impact": violation["impact"], "fails": fails,
                "help": violation["help"], "helpUrl": violation["helpUrl"], "nodes": nodes})
            if fails:
                targets = "; ".join(" ".join(node["target"]) for node in nodes[:5])
                self.problems.append(f"{where}: axe {violation['impact']} "
                                     f"{violation['rule']} ({violation['help']}) at {targets}")

    def _check_weight(self, page, label: str, where: str) -> None:
        entries = page.evaluate(PAGE_WEIGHT)
        total = sum(entry["bytes"] for entry in entries)
        self.report.weights.append({"journey": self.name, "step": label, "url": page.url,
                                    "bytes": total, "entries": entries})
        if total > MAX_PAGE_BYTES:
            heaviest = sorted(entries, key=lambda entry: -entry["bytes"])[:3]
            detail = ", ".join(f"{entry['url']} {entry['bytes']} B" for entry in heaviest)
            self.problems.append(f"{where}: first load transfers {total} bytes, over "
                                 f"{MAX_PAGE_BYTES} (heaviest: {detail})")

    def _check_desktop_fit(self, page, where: str) -> None:
        wide = page.evaluate(WIDE_BOXES)
        if wide:
            self.problems.append(f"{where}: at {page.viewport_size['width']} px wider than its "
                                 f"container: {', '.join(wide)}")

    def _check_small_screen(self, page, label: str, where: str) -> None:
        desktop = page.viewport_size
        page.set_viewport_size(SMALL_SCREEN)
        try:
            overflow = page.evaluate(OVERFLOW)
            page.screenshot(path=str(self.artifacts / f"{label}-360.png"), full_page=True)
        finally:
            page.set_viewport_size(desktop)
        if overflow["scrollWidth"] > overflow["width"] + 1:
            self.problems.append(
                f"{where}: at {overflow['width']} px the page is {overflow['scrollWidth']} px "
                f"wide; sticking out: {', '.join(overflow['offenders']) or 'unknown'}")
