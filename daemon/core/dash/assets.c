/*
 * assets.c - the dashboard's stylesheet, script and icon (see dash.h),
 * compiled in: the pages need no file beside the binary, no CDN, and work
 * offline.
 */
#include "core/dash/dash.h"

const char dash_css[] =
    "body{font:14px/1.45 system-ui,sans-serif;color:#222;margin:0}"
    "header{background:#1d2b3a;color:#fff;padding:.4em 1em}"
    "header nav{display:flex;gap:1.2em;align-items:center;flex-wrap:wrap}"
    "header a{color:#dfe8f1;text-decoration:none}"
    "header a[aria-current]{color:#fff;border-bottom:2px solid #E69F00}"
    ".brand{margin-right:1em}.who{margin-left:auto;color:#bcd}"
    "form.out button{font-size:.9em}"
    "main{max-width:72em;margin:1em auto;padding:0 1em}"
    "footer{color:#666;font-size:.85em;margin-top:3em}"
    "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em;"
    "border-bottom:2px solid #ddd}"
    "table{border-collapse:collapse;margin:.5em 0;width:100%}"
    "th,td{padding:.3em .6em;border-bottom:1px solid #e4e4e4;"
    "text-align:left;vertical-align:top}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".scroll{overflow-x:auto}.muted{color:#666}.error{color:#a00}"
    ".tone{padding:0 .4em;border-radius:3px;color:#fff}"
    ".tone.negative,.t0{background:#D55E00}"
    ".tone.neutral,.t1{background:#777}"
    ".tone.positive,.t2{background:#0072B2}"
    ".swatch{display:inline-block;width:.9em;height:.9em;"
    "margin:0 .3em 0 1em;vertical-align:-.1em}"
    "svg.chart{width:100%;height:auto;max-width:60em}"
    "svg.spark{width:120px;height:24px}"
    ".filters{display:flex;flex-wrap:wrap;gap:.6em;align-items:end;"
    "background:#f4f6f8;padding:.6em;border-radius:4px}"
    ".filters label{display:flex;flex-direction:column;font-size:.85em}"
    ".figures{display:flex;gap:2em;flex-wrap:wrap}"
    ".figures div{font-size:.9em;color:#555}"
    ".figures strong{display:block;font-size:1.6em;color:#222}"
    ".pager{margin:1em 0;display:flex;gap:1em}"
    "form.edit{display:flex;gap:.3em}"
    ".login{max-width:22em;margin:3em auto;display:flex;"
    "flex-direction:column;gap:.6em}"
    ".tip{position:fixed;background:#222;color:#fff;padding:.2em .5em;"
    "border-radius:3px;font-size:12px;pointer-events:none}"
    "@page{size:A4;margin:15mm}"
    "@media print{header,.filters,.pager,form.edit{display:none}"
    "main{max-width:none}a{color:inherit;text-decoration:none}}";

/* Only enhances: a bar's figures follow the pointer (its SVG title says
 * the same to those without a script or a mouse), and a period chosen
 * in a list applies at once. */
const char dash_js[] =
    "'use strict';\n"
    "document.addEventListener('DOMContentLoaded', function () {\n"
    "  var tip = null;\n"
    "  document.querySelectorAll('svg.chart g.bar, svg.chart g.mark')"
    ".forEach(function (g) {\n"
    "    var t = g.querySelector('title');\n"
    "    if (!t) return;\n"
    "    g.addEventListener('mousemove', function (e) {\n"
    "      if (!tip) { tip = document.createElement('div');"
    " tip.className = 'tip'; document.body.appendChild(tip); }\n"
    "      tip.textContent = t.textContent;\n"
    "      tip.style.left = (e.clientX + 12) + 'px';\n"
    "      tip.style.top = (e.clientY + 12) + 'px';\n"
    "      tip.hidden = false;\n"
    "    });\n"
    "    g.addEventListener('mouseleave', function () {"
    " if (tip) tip.hidden = true; });\n"
    "  });\n"
    "  document.querySelectorAll('select[name=days]')"
    ".forEach(function (s) {\n"
    "    s.addEventListener('change', function () { s.form.submit(); });\n"
    "  });\n"
    "});\n";

const char dash_icon[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\">"
    "<circle cx=\"8\" cy=\"8\" r=\"7\" fill=\"#1d2b3a\"/>"
    "<circle cx=\"8\" cy=\"8\" r=\"3\" fill=\"#E69F00\"/></svg>";
