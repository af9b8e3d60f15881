// OS command injection rules: a shell metacharacter followed by a command, shell binaries, and
// reverse-shell idioms. Text is URL-decoded and lower-cased; the `normalized` view also expands
// $IFS to a space and drops the quotes and backslashes shells ignore inside a word (`w'h'o'am'i`).

import { collapseWhitespace, urlDecode } from './decode.ts';
import { defineDetector, type Rule } from './detector.ts';

type View = 'decoded' | 'normalized';

function views(text: string): Record<View, string> {
  const decoded = urlDecode(text).toLowerCase();
  const normalized = decoded
    .replace(/\$\{ ?ifs ?\}|\$ifs\b/g, ' ')
    .replace(/['"]|\\(?=[a-z])/g, '')
    .replace(/[ \t]+/g, ' ');
  return { decoded: collapseWhitespace(decoded), normalized };
}

// What may end a command word: end of text, whitespace or another metacharacter.
const END = String.raw`(?=$|[\s;&|\x60)<>$])`;

// Commands that are not everyday words on their own, and everyday words only with an argument
// shape that prose does not have ("cat /", "ls -la", "ping -c", "nc host 4444").
const COMMAND = [
  String.raw`(?:whoami|uname|ifconfig|ipconfig|netstat|nslookup|wget|curl|ncat|netcat|telnet|certutil|bitsadmin|powershell|pwsh|chmod|chown|xterm|nmap|systeminfo|tasklist|printenv|mkfifo|crontab|sudo|tftp|traceroute|tracert|nohup)${END}`,
  // Short words that end the injected command outright: `;id`, `|pwd;`.
  String.raw`(?:id|pwd|hostname)(?=$|[;&|\x60)])`,
  String.raw`(?:ba|z|k|da)?sh(?: -[a-z]|${END})`,
  String.raw`cmd(?:\.exe)?(?: ?/[ck]\b|${END})`,
  String.raw`(?:python[23]?|perl|ruby|php|node|lua) -[a-z]`,
  String.raw`(?:cat|more|less|head|tail|type|dir|del|copy) (?:[/~]|[a-z]:|\.{1,2}/|[\w.-]{1,40}\.(?:txt|conf|log|ini|php|sh|py|xml|json|env|pem|key)\b)`,
  String.raw`ls(?: -[a-z]|\s?/|${END})`,
  String.raw`(?:rm|cp|mv|kill|killall|nc|ping|find|grep|ssh|scp|dig|base64|env) -[a-z]`,
  String.raw`ping \d{1,3}\.\d`,
  String.raw`nc [a-z0-9.-]{1,64} \d{1,5}\b`,
  String.raw`sleep \d{1,4}${END}`,
  String.raw`net (?:user|localgroup|view|share)\b`,
  String.raw`(?:/usr(?:/local)?)?/s?bin/[a-z]`,
].join('|');

const rules: readonly Rule<View>[] = [
  {
    id: 'cmdi.chained-command',
    severity: 'CRITICAL',
    confidence: 'low',
    view: 'normalized',
    patterns: [new RegExp(String.raw`(?:[;&|\n\r\x60]|\$\() {0,3}(?:${COMMAND})`)],
  },
  {
    id: 'cmdi.shell-binary',
    severity: 'HIGH',
    confidence: 'high',
    view: 'normalized',
    patterns: [
      /\/bin\/(?:ba|z|k|da|c|tc)?sh\b|\bcmd\.exe\b|\bcmd ?\/c\b/,
      /\b(?:powershell(?:\.exe)?|pwsh)\b ?(?:-\w|\/\w|iex\b)|\biex ?\(|\binvoke-expression\b|\bdownloadstring ?\(/,
    ],
  },
  {
    id: 'cmdi.reverse-shell',
    severity: 'CRITICAL',
    confidence: 'high',
    view: 'normalized',
    patterns: [
      /\/dev\/(?:tcp|udp)\/|\bmkfifo\b|\b(?:ba)?sh -i\b/,
      /\bnc(?:at)? (?:-[a-z]{1,6} ){0,4}-[a-z]{0,5}e\b|\bsocat\b.{0,60}?\bexec:/,
    ],
  },
  {
    id: 'cmdi.download-and-run',
    severity: 'HIGH',
    confidence: 'high',
    view: 'normalized',
    patterns: [/\b(?:curl|wget)\b.{0,120}?\| ?(?:ba|z|k|da)?sh\b|\bwget\b.{0,120}? -o ?\/tmp\//],
  },
  {
    id: 'cmdi.brace-expansion',
    severity: 'HIGH',
    confidence: 'low',
    view: 'normalized',
    patterns: [/(?:[;&|\n\x60]|\$\() ?\{[a-z/]{2,20},[^{}]{1,60}\}/],
  },
  {
    id: 'cmdi.ifs-evasion',
    severity: 'HIGH',
    confidence: 'high',
    view: 'decoded',
    patterns: [/\$\{ ?ifs ?\}|\$ifs\b|\$\{(?:path|home|shellopts):0:1\}/],
  },
];

export const commandInjection = defineDetector('command_injection', views, rules);
