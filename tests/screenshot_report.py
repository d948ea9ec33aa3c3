"""Write PNG screenshots of a report page as headless Chromium shows it, to look at by eye.

    python tests/screenshot_report.py OUT/report.html shots/report.png [--tiles 1500]

Writes the whole page to the PNG, and with ``--tiles H`` also pieces of H pixels
(``report.1.png``, ...) that an image viewer shows at full size. Chinese needs a CJK font on
the machine (Debian: ``apt-get install fonts-noto-cjk``); without one it shows boxes.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from chromium import Chromium  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="an HTML file (wordmine report's output)")
    parser.add_argument("png", help="the PNG to write")
    parser.add_argument("--width", type=int, default=1280, help="viewport width in CSS pixels")
    parser.add_argument("--tiles", type=int, default=0, help="also write pieces this many pixels high")
    parser.add_argument("--click", help="a CSS selector to click first (e.g. 'details.card summary')")
    args = parser.parse_args(argv)
    with Chromium(width=args.width) as browser:
        browser.open(args.page)
        if args.click:
            browser.evaluate(f"document.querySelector({args.click!r}).click()")
        browser.screenshot(args.png)
        if args.tiles:
            height = browser.call("Page.getLayoutMetrics")["cssContentSize"]["height"]
            stem, ext = os.path.splitext(args.png)
            for i, top in enumerate(range(0, int(height), args.tiles), 1):
                clip = {"x": 0, "y": top, "width": args.width, "height": min(args.tiles, height - top), "scale": 1}
                data = browser.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
                with open(f"{stem}.{i}{ext}", "wb") as f:
                    f.write(base64.b64decode(data["data"]))
        print(f"{args.png}: {browser.requested()}", file=sys.stderr)


if __name__ == "__main__":
    main()
