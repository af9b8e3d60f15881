// SQL injection rules. Text is URL-decoded (bounded rounds) and lower-cased; the `normalized`
// view also turns block comments into spaces (`UNION/**/SELECT`) and collapses whitespace, while
// the `commented` view keeps comments, because a comment terminator is itself a signal.

import { collapseWhitespace, stripBlockComments, urlDecode } from './decode.ts';
import { defineDetector, type Rule } from './detector.ts';

type View = 'normalized' | 'commented';

function views(text: string): Record<View, string> {
  const decoded = urlDecode(text).toLowerCase();
  return {
    normalized: collapseWhitespace(stripBlockComments(decoded, ' ', true)),
    commented: collapseWhitespace(decoded),
  };
}

// A closing quote, optionally with the closing parenthesis of the surrounding expression.
const CLOSE = String.raw`['"\x60]\)?`;

// A comment that ends the text, with the trailing junk that keeps MySQL's `-- ` form: `-- -`, `--+`.
const TAIL = String.raw`[\s+-]{0,3}$`;
const COMMENT = String.raw`(?:--|#)${TAIL}`;
// A SQL literal: a number, a quoted string, null, true, false or a variable.
const VALUE = String.raw`(?:\d{1,30}|'[^']{0,30}'|"[^"]{0,30}"|null|true|false|@@?\w{1,30})`;

const rules: readonly Rule<View>[] = [
  {
    id: 'sqli.union-select',
    severity: 'CRITICAL',
    confidence: 'high',
    view: 'normalized',
    patterns: [
      // A literal, or a column list ending in FROM (or too long to be prose), must follow, so
      // "Union Select Fund" alone is not a hit.
      /\bunion(?: all| distinct)? ?\(? ?select\b ?(?:null\b|\d|[(*'"@\x60]|0x|[a-z_]\w{0,30}(?:(?: ?, ?[a-z_]\w{0,30}){0,20} from\b|(?: ?, ?[a-z_]\w{0,30}){20}))/,
    ],
  },
  {
    id: 'sqli.tautology',
    severity: 'HIGH',
    confidence: 'high',
    view: 'normalized',
    patterns: [
      // ' or '1'='1   ' or ''='   ') or ('a'='a   ' or 1=1   '||'x' like 'x; a literal follows the
      // comparison, so prose such as `'patience' and 'discipline' = profit` is not a hit, nor
      // code such as `x == 'a' or y == 'b'`.
      new RegExp(
        String.raw`${CLOSE} ?(?:(?:or|and|xor)\b|\|\||&&) ?\(? ?['"]?[^'"]{0,20}['"]? ?(?:(?<![=!<>])=(?!=)|<>|!=|<=>|\blike\b) ?(?:['"\d(@]|$)`,
      ),
      // or 1=1   and 5678=5678
      /\b(?:or|and|xor|having) \(? ?(\d{1,10}) ?(?:=|<=>|like) ?\(? ?\1\b/,
      // or 'x'='x   or "a"="a
      /\b(?:or|and|xor) \(? ?'([^']{0,20})' ?= ?'\1/,
      /\b(?:or|and|xor) \(? ?"([^"]{0,20})" ?= ?"\1/,
    ],
  },
  {
    id: 'sqli.quote-logic',
    severity: 'HIGH',
    confidence: 'low',
    view: 'normalized',
    patterns: [
      // ' and 1=2   ' or 1--   ' or true   ' and sleep(   '||(select
      new RegExp(
        String.raw`${CLOSE} ?(?:(?:or|and|xor|having|rlike|regexp)\b|\|\||&&) ?(?:\(? ?\d{1,20} ?(?:=|<|>|!=|<>|--|#|;|\)|$)|\(? ?(?:true|false|not|exists|select|sleep|if|case|ascii|substr|substring|updatexml|extractvalue)\b)`,
      ),
    ],
  },
  {
    id: 'sqli.comment-after-quote',
    severity: 'MEDIUM',
    confidence: 'low',
    view: 'commented',
    patterns: [
      // A closed literal whose comment ends the text, cutting off the rest of the query:
      // `admin'--`, `admin' #`, `admin')/*`, `x" -- -`. Text that goes on after the comment is
      // prose (`"hello" -- then`), and `"#` is not a MySQL comment after a double quote alone.
      new RegExp(String.raw`'\)? ?(?:--|#|\/\*)${TAIL}|"\)? ?(?:--|\/\*)${TAIL}`),
    ],
  },
  {
    id: 'sqli.comment-at-end',
    severity: 'LOW',
    confidence: 'low',
    view: 'commented',
    patterns: [
      // A comparison with a literal: `1=1--`, `'a'='a' #`, `>64--`.
      new RegExp(String.raw`(?:=|<>|!=|<|>|\blike\b) ?${VALUE} ?\)? ?${COMMENT}`),
      // A logic or clause keyword with literals: `or 1--`, `order by 1,2--+`, `select null,null--`.
      new RegExp(
        String.raw`\b(?:or|and|xor|not|by|limit|offset|having|select|values)\b ?\(? ?${VALUE}(?: ?, ?${VALUE}){0,20} ?\)? ?${COMMENT}`,
      ),
      // A table or column after the keyword that names it: `from users--`, `drop table users --`.
      new RegExp(String.raw`\b(?:from|table|into|update|where) [\w.\x60"[\]]{1,64}\)? ?${COMMENT}`),
      // A function call: `md5(1))--`, `version())#`.
      new RegExp(String.raw`\w\([^()]{0,40}\)\)? ?${COMMENT}`),
    ],
  },
  {
    id: 'sqli.inline-comment',
    severity: 'MEDIUM',
    confidence: 'low',
    view: 'commented',
    patterns: [
      /\/\*!|\/\*\*\//,
      /\b(?:select|union|from|where|and|or)\/\*|\*\/(?:select|union|from|where|and|or)\b/,
    ],
  },
  {
    id: 'sqli.time-delay',
    severity: 'CRITICAL',
    confidence: 'low',
    view: 'normalized',
    patterns: [
      /\bsleep ?\( ?\d{1,5} ?\)/,
      /\bbenchmark ?\( ?\d/,
      /\bpg_sleep ?\(/,
      /\bwaitfor (?:delay|time) ['"]/,
      /\bdbms_(?:pipe\.receive_message|lock\.sleep) ?\(/,
    ],
  },
  {
    id: 'sqli.stacked-query',
    severity: 'CRITICAL',
    confidence: 'low',
    view: 'normalized',
    patterns: [
      /; ?(?:drop (?:table|database|schema|view|user|index)\b|delete from\b|insert into\b|update [\w.\x60"[\]]{1,64} set\b|select\b.{0,80}?\bfrom\b|select [\d@('"*]|shutdown ?(?:with\b|--|;|#|$)|truncate (?:table )?\w|alter (?:table|user|database)\b|create (?:table|user|database|login|procedure|function)\b|exec(?:ute)? ?(?:xp_|sp_|master\.|\(|@)|declare @|grant \w+ on\b)/,
    ],
  },
  {
    id: 'sqli.stored-procedure',
    severity: 'CRITICAL',
    confidence: 'high',
    view: 'normalized',
    patterns: [
      /\b(?:xp_cmdshell|xp_regread|xp_regwrite|xp_dirtree|xp_fileexist|xp_servicecontrol|sp_executesql|sp_oacreate|sp_oamethod|sp_configure|sp_makewebtask|sp_addlogin|sp_addsrvrolemember|sp_password|sp_execute)\b/,
      /\bexec(?:ute)? (?:master\.\.)?(?:xp|sp)_\w/,
    ],
  },
  {
    id: 'sqli.catalog-probe',
    severity: 'HIGH',
    confidence: 'high',
    view: 'normalized',
    patterns: [
      /\b(?:information_schema|sysobjects|syscolumns|sqlite_master|pg_catalog|pg_shadow|mysql\.user)\b/,
      /\bsys\.(?:tables|columns|objects|databases)\b/,
      /@@(?:version|datadir|hostname|basedir|servername)\b/,
    ],
  },
  {
    id: 'sqli.file-access',
    severity: 'CRITICAL',
    confidence: 'low',
    view: 'normalized',
    patterns: [
      /\bload_file ?\(|\binto (?:out|dump)file\b|\b(?:openrowset|opendatasource) ?\(/,
      /\butl_(?:http|inaddr)\.|\bcopy \w{1,64} (?:from|to) program\b|\bbulk insert\b/,
    ],
  },
  {
    id: 'sqli.error-based',
    severity: 'HIGH',
    confidence: 'low',
    view: 'normalized',
    patterns: [
      /\b(?:extractvalue|updatexml) ?\(/,
      /\bfloor ?\( ?rand ?\(|\bexp ?\( ?~/,
      /\bconvert ?\( ?int ?,|\bcast ?\(.{0,60}? as (?:int|signed|numeric)\b ?\)/,
    ],
  },
  {
    id: 'sqli.subquery-in-function',
    severity: 'HIGH',
    confidence: 'high',
    view: 'normalized',
    patterns: [
      /\b(?:ascii|ord|substring|substr|mid|length|count|concat|group_concat|if|ifnull|isnull|coalesce|exists|r?like|regexp) ?\( ?\(? ?select\b/,
    ],
  },
  {
    id: 'sqli.encoded-literal',
    severity: 'MEDIUM',
    confidence: 'low',
    view: 'normalized',
    patterns: [
      /(?:[=(]|\b(?:select|where|like|or|and)) ?0x[0-9a-f]{4,}\b/,
      /\b(?:char|nchar|chr) ?\( ?(?:\d{1,3}|0x[0-9a-f]{2})(?: ?, ?(?:\d{1,3}|0x[0-9a-f]{2})){1,64} ?\)/,
      /\b(?:unhex|concat_ws|group_concat) ?\(/,
    ],
  },
  {
    id: 'sqli.column-count-probe',
    severity: 'HIGH',
    confidence: 'low',
    view: 'commented',
    patterns: [/(?:['")]|\d) ?(?:order|group) by \d{1,3}(?: ?, ?\d{1,3}){0,20} ?(?:--|#|;|$)/],
  },
];

export const sqli = defineDetector('sqli', views, rules);
