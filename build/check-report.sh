#!/usr/bin/env bash
# Opens a sample's report.html in headless Chromium and checks it as a reader would see it: every image decoded
# (naturalWidth > 0), no script or resource errors, nothing loaded from outside the file. Writes a screenshot of the
# whole page (or of its top HEIGHT pixels). Needs Debian's chromium package (apt-get install chromium); CI does not
# run this.
#
#   build/check-report.sh OUT/report.html [SCREENSHOT.png] [WIDTH] [HEIGHT]
#
# Exit code 0 when the page passes, 1 when it does not, 2 on a usage or set-up problem.
set -euo pipefail

page=${1:?usage: build/check-report.sh REPORT.html [SCREENSHOT.png] [WIDTH] [HEIGHT]}
screenshot=${2:-${page%.html}.png}
width=${3:-1200}
[ -f "$page" ] || { echo "error: no such file: $page" >&2; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "error: no Chromium found; install it with 'apt-get install chromium'" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A copy of the page with a probe at the top of <head>: it records errors from the first moment and, once the page
# has loaded, writes what it found into the DOM, which --dump-dom prints.
probe='<script>
window.__problems = [];
addEventListener("error", e => __problems.push(e.message || ("failed to load " + (e.target.tagName || "?") + " " + String(e.target.src || e.target.href || "").slice(0, 40))), true);
const __consoleError = console.error;
console.error = (...args) => { __problems.push("console.error: " + args.join(" ")); __consoleError(...args); };
addEventListener("load", () => {
  const images = [...document.images];
  const links = [...document.querySelectorAll("[src],[href]")].map(e => e.getAttribute("src") ?? e.getAttribute("href"));
  const result = {
    images: images.length,
    broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt || "(no alt)"),
    sizes: images.map(i => i.naturalWidth + "x" + i.naturalHeight),
    external: links.filter(u => !u.startsWith("data:") && !u.startsWith("#")),
    problems: __problems,
    height: document.documentElement.scrollHeight,
  };
  const out = document.createElement("pre");
  out.id = "report-check";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script>'
python3 - "$page" "$work/probed.html" "$probe" <<'EOF'
import sys
source, target, probe = sys.argv[1:4]
html = open(source, encoding="utf-8").read()
at = html.find("<head>")
if at < 0:
    sys.exit("error: the page has no <head>")
open(target, "w", encoding="utf-8").write(html[:at + 6] + probe + html[at + 6:])
EOF

flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$work/profile")
timeout 120 "$browser" "${flags[@]}" --virtual-time-budget=5000 --dump-dom "file://$work/probed.html" >"$work/dom.html" 2>"$work/browser.log" || {
  echo "error: Chromium failed; its log:" >&2; tail -20 "$work/browser.log" >&2; exit 2; }

result=$(python3 - "$work/dom.html" <<'EOF'
import html, json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
found = re.search(r'<pre id="report-check">(.*?)</pre>', dom, re.S)
if not found:
    print(json.dumps({"problems": ["the probe did not report: the page did not finish loading"], "images": 0, "broken": [], "external": [], "height": 0, "sizes": []}))
else:
    print(html.unescape(found.group(1)))
EOF
)

height=${4:-$(python3 -c 'import json, sys; print(min(max(json.loads(sys.argv[1])["height"], 600), 16000))' "$result")}
timeout 120 "$browser" "${flags[@]}" --window-size="$width,$height" --screenshot="$screenshot" "file://$(realpath "$page")" >>"$work/browser.log" 2>&1 || {
  echo "error: Chromium could not take the screenshot; its log:" >&2; tail -20 "$work/browser.log" >&2; exit 2; }

python3 - "$result" "$page" "$screenshot" <<'EOF'
import json, sys
result, page, screenshot = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
failures = []
if result["images"] == 0:
    failures.append("the page has no images")
failures += [f"image not decoded: {alt}" for alt in result["broken"]]
failures += [f"loads from outside the file: {url}" for url in result["external"]]
failures += [f"error: {p}" for p in result["problems"]]
print(f"{page}: {result['images']} images ({', '.join(result['sizes'])}), page height {result['height']} px; screenshot {screenshot}")
for f in failures:
    print(f"  FAIL {f}")
print("report check: " + ("FAILED" if failures else "passed"))
sys.exit(1 if failures else 0)
EOF
