"""What the browser sweep measures on a page: two accessibility engines (axe-core and
HTML_CodeSniffer, so that one engine's blind spots are not ours) and what neither engine sees,
computed from the rendered page: control boundaries and focus rings against what is behind
them, and sideways scrolling or content cut off at 320 CSS px with the text-spacing override
of 1.4.12."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

# WCAG 2.0, 2.1 and 2.2, levels A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
PHONE = {"width": 320, "height": 700}
DESKTOP = {"width": 1280, "height": 900}
HTMLCS = Path(settings.BASE_DIR) / "node_modules" / "html_codesniffer" / "build" / "HTMLCS.js"

# WCAG 1.4.12's test values: line height 1.5, paragraph spacing 2, letter spacing 0.12 and
# word spacing 0.16 times the font size. Content must survive them without loss.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""

# What sticks out: elements reaching past the window, or whose content does.
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
                || (el.scrollWidth > el.clientWidth + 1
                    && getComputedStyle(el).overflowX === 'visible'
                    && el.getBoundingClientRect().left + el.scrollWidth > window.innerWidth + 1))
  // Inside a container that scrolls by itself (a data table) is allowed by 1.4.10.
  .filter(el => !el.closest('.table-responsive, #changelist .results, .visually-hidden'))
  .map(el => `${el.tagName}.${el.className}: ${(el.textContent || '').trim().slice(0, 40)}`)
  .slice(-5)"""

# What is cut off without scrolling: an element reaching past the edge of a box that hides
# what overflows it (Django's field rows do), which no sideways scroll reveals (1.4.10).
CLIPPED = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().width > 0 && !el.closest('.visually-hidden'))
  .filter(el => {
    const right = el.getBoundingClientRect().right;
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (['hidden', 'clip'].includes(getComputedStyle(box).overflowX))
        return right > box.getBoundingClientRect().right + 1;
    }
    return false;
  })
  .map(el => `${el.tagName}.${el.className}: cut off: `
             + (el.textContent || el.value || '').trim().slice(0, 40))
  .slice(0, 5)"""

# Colours as the page renders them: the contrast of a control's boundary with what is behind
# it (1.4.11) and of each focus indicator, which must also be 2 px thick (2.4.13's measure).
COLOURS = """
const parse = (c) => {
  const m = c.match(/rgba?\\(([^)]+)\\)/);
  if (!m) return null;
  const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
  return {r, g, b, a};
};
const luminance = ({r, g, b}) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const ratio = (x, y) => {
  const [a, b] = [luminance(x), luminance(y)].sort((p, q) => q - p);
  return (a + 0.05) / (b + 0.05);
};
const over = (top, bottom) => ({
  r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
  b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
});
const behind = (el) => {
  const layers = [];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
  }
  return layers.reverse().reduce((acc, c) => over(c, acc), {r: 255, g: 255, b: 255, a: 1});
};
const label = (el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}` +
  `${el.name ? '[name=' + el.name + ']' : ''}.${[...el.classList].join('.')}` +
  ` "${(el.textContent || el.value || '').trim().slice(0, 30)}"`;
// Visually hidden stand-ins (1 px, clipped) are not what a person sees.
const shown = (el) => { const r = el.getBoundingClientRect();
  return r.width > 2 && r.height > 2 && getComputedStyle(el).visibility !== 'hidden'; };
"""

BOUNDARIES = (
    "() => {"
    + COLOURS
    + """
  const found = [];
  const controls = document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=image]), select, ' +
    'textarea, .select2-selection');
  for (const el of controls) {
    // 1.4.11 exempts inactive controls (a disabled field showing the current address).
    if (!shown(el) || el.disabled) continue;
    const style = getComputedStyle(el);
    // A check box or radio button the browser draws itself has Chromium's #767676 edge
    // (4.5:1 on white, its form controls since version 83); only styled ones are measured.
    if (['checkbox', 'radio'].includes(el.type) && style.appearance !== 'none') {
      const edge = {r: 0x76, g: 0x76, b: 0x76, a: 1};
      const contrast = ratio(edge, behind(el));
      if (contrast < 3) found.push(`${label(el)}: boundary ${contrast.toFixed(2)}:1`);
      continue;
    }
    const back = behind(el);
    const own = parse(style.backgroundColor);
    const fill = own && own.a > 0 ? over(own, back) : back;
    const border = parse(style.borderTopColor);
    const width = parseFloat(style.borderTopWidth);
    const edge = width > 0 && border && border.a > 0 ? over(border, back) : fill;
    // A boundary shows if the border differs from the page, or the fill itself does.
    const best = Math.max(ratio(edge, back), ratio(fill, back));
    if (best < 3) found.push(`${label(el)}: boundary ${best.toFixed(2)}:1`);
  }
  return found;
}"""
)

FOCUS_RING = (
    "(el) => {"
    + COLOURS
    + """
  const style = getComputedStyle(el);
  if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) === 0) {
    return `${label(el)}: no outline when focused`;
  }
  const width = parseFloat(style.outlineWidth);
  const colour = parse(style.outlineColor);
  const back = behind(el);
  const ring = over(colour, back);
  const against = ratio(ring, back);
  if (width < 2) return `${label(el)}: outline ${width}px`;
  if (against < 3) return `${label(el)}: outline ${against.toFixed(2)}:1 against the page`;
  return null;
}"""
)

# The element the focus is on now (null on the page itself) and its ring's problem, if any.
FOCUSED = (
    "() => { const el = document.activeElement;"
    " if (!el || el === document.body) return null;"
    f" return [el.outerHTML.slice(0, 200), ({FOCUS_RING})(el)]; }}"
)


@cache
def htmlcs_source() -> str:
    return HTMLCS.read_text()


def htmlcs(page) -> list[str]:
    """HTML_CodeSniffer's errors on the page (WCAG2AA; warnings and notices ask for a person's
    judgement and are not counted)."""
    if not page.evaluate("typeof window.HTMLCS !== 'undefined'"):
        page.evaluate("(source) => { (0, eval)(source); }", htmlcs_source())
    return page.evaluate(
        """() => new Promise((resolve) => HTMLCS.process('WCAG2AA', document, () => resolve(
          HTMLCS.getMessages().filter((m) => m.type === HTMLCS.ERROR).map((m) =>
            `${m.code} | ${(m.element.outerHTML || '').slice(0, 100)}`))))"""
    )


def axe(page, engine) -> list[str]:
    results = engine.run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} | {node['html'][:100]}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def boundaries(page) -> list[str]:
    return page.evaluate(BOUNDARIES)


def focus_rings(page, stops=40) -> list[str]:
    """Tab through the page as the keyboard does and measure each focus ring on the way."""
    page.emulate_media(reduced_motion="reduce")
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    found, seen = [], set()
    for _ in range(stops):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop is None or stop[0] in seen:
            break
        seen.add(stop[0])
        if stop[1]:
            found.append(stop[1])
    return found


def sideways(page) -> list[str]:
    """At 320 CSS px with the text-spacing override: what makes the page scroll sideways."""
    page.set_viewport_size(PHONE)
    page.add_style_tag(content=TEXT_SPACING)
    found = []
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        found = page.evaluate(WIDE) or ["the page scrolls sideways"]
    found += page.evaluate(CLIPPED)
    page.set_viewport_size(DESKTOP)
    return found
