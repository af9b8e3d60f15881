// Cross-site scripting rules. Text is URL- and HTML-entity-decoded (alternating, bounded rounds),
// JavaScript escapes are undone and it is lower-cased. The `markup` view turns control characters
// into spaces for tag matching; the `compact` view drops them and CSS comments, as browsers do
// inside URL schemes and style values (`jav&#x09;ascript:`, `expr/**/ession(`).

import { collapseWhitespace, jsUnescape, stripBlockComments, webDecode } from './decode.ts';
import { defineDetector, type Rule } from './detector.ts';

type View = 'markup' | 'compact';

// eslint-disable-next-line no-control-regex -- control characters are what this matches
const CONTROL = /[\x00-\x1f\x7f]/g;

function views(text: string): Record<View, string> {
  const decoded = jsUnescape(webDecode(text)).toLowerCase();
  return {
    markup: collapseWhitespace(decoded.replace(CONTROL, ' ')),
    compact: collapseWhitespace(stripBlockComments(decoded.replace(CONTROL, ''), '')),
  };
}

// Handlers that are worth naming outside a tag, where `on\w+=` alone would flag plain prose.
const HANDLERS =
  'onload|onerror|onclick|onmouseover|onmouseenter|onmouseout|onmousedown|onmouseup|onmousemove|onfocus|onfocusin|onblur|onanimationstart|onanimationend|ontransitionend|ontoggle|onpageshow|onbegin|onstart|oninput|onchange|onsubmit|onkeydown|onkeyup|onkeypress|ondblclick|onpointerover|onpointerenter|onpointerdown|onresize|onscroll|onunload|onbeforeunload|onhashchange|onmessage|onwheel|oncopy|onpaste|oncut|ondrag|ondrop|onplay|onended|oncontextmenu|onauxclick|onselect|onsearch';

const rules: readonly Rule<View>[] = [
  {
    id: 'xss.script-tag',
    severity: 'CRITICAL',
    confidence: 'high',
    view: 'markup',
    patterns: [/<\/?script\b/],
  },
  {
    id: 'xss.svg-onload',
    severity: 'CRITICAL',
    confidence: 'high',
    view: 'markup',
    patterns: [/<svg\b[^>]{0,150}?[\s/"'\x60]on[a-z]{3,30} ?=/],
  },
  {
    id: 'xss.img-onerror',
    severity: 'CRITICAL',
    confidence: 'high',
    view: 'markup',
    patterns: [
      /<(?:img|image|video|audio|source|input|object|track)\b[^>]{0,150}?[\s/"'\x60]onerror\b/,
    ],
  },
  {
    id: 'xss.event-handler',
    severity: 'HIGH',
    confidence: 'high',
    view: 'markup',
    patterns: [
      // Inside a tag; the second form covers junk before '=' (`<body onload!#$%&()*~=alert(1)>`).
      /<[a-z][^>]{0,150}?[\s/"'\x60;]on[a-z]{3,30}(?: ?=|[^\sa-z0-9=>]{1,40}=)/,
      // Breaking out of a quoted attribute: `" autofocus onfocus="alert(1)`.
      new RegExp(String.raw`["'\x60][^<>]{0,60}?[\s/"'\x60](?=on)(?:${HANDLERS}) ?=`),
    ],
  },
  {
    id: 'xss.javascript-url',
    severity: 'HIGH',
    confidence: 'low',
    view: 'compact',
    patterns: [/\b(?:java|vb|live)script:(?! )/],
  },
  {
    id: 'xss.data-url',
    severity: 'HIGH',
    confidence: 'high',
    view: 'compact',
    patterns: [
      /\bdata: ?(?:text\/html|text\/javascript|image\/svg[+ ]xml|application\/(?:x-)?(?:javascript|xhtml|ecmascript))/,
    ],
  },
  {
    id: 'xss.iframe',
    severity: 'HIGH',
    confidence: 'high',
    view: 'markup',
    patterns: [/<i?frame\b|<frameset\b/],
  },
  {
    id: 'xss.srcdoc',
    severity: 'HIGH',
    confidence: 'high',
    view: 'markup',
    patterns: [/\bsrcdoc ?=/],
  },
  {
    id: 'xss.active-content-tag',
    severity: 'MEDIUM',
    confidence: 'low',
    view: 'markup',
    patterns: [/<(?:object|embed|applet|meta|base|isindex|portal|style|link)\b/, /\bformaction ?=/],
  },
  {
    id: 'xss.css-expression',
    severity: 'HIGH',
    confidence: 'low',
    view: 'compact',
    patterns: [/: ?expression ?\(|\bbehavior ?: ?url ?\(|-moz-binding ?:|@import ?['"u]/],
  },
  {
    id: 'xss.script-sink',
    severity: 'MEDIUM',
    confidence: 'low',
    view: 'markup',
    patterns: [
      /\b(?:alert|prompt|confirm)(?:\(|\x60)|\beval ?\(|\batob ?\(/,
      /\bdocument\.(?:cookie|domain|write)\b|\bstring\.fromcharcode ?\(|\bwindow\.location ?=|\.innerhtml ?=/,
    ],
  },
  {
    id: 'xss.tag-breakout',
    severity: 'LOW',
    confidence: 'low',
    view: 'markup',
    patterns: [/["'\x60] ?\/? ?> ?<\/?[a-z]/],
  },
];

export const xss = defineDetector('xss', views, rules);
