import { describe, expect, it } from 'vitest';
import {
  htmlDecodeOnce,
  jsUnescape,
  stripBlockComments,
  urlDecode,
  urlDecodeOnce,
  webDecode,
} from './decode.ts';

describe('urlDecode', () => {
  it('decodes form encoding: plus as space, UTF-8 percent runs, IIS %u', () => {
    expect(urlDecodeOnce('a+b%20c%E0%A4%A8%u002e')).toBe('a b cन.');
  });

  it('keeps invalid UTF-8 byte by byte so overlong dots stay visible', () => {
    expect(urlDecodeOnce('%c0%ae%c0%ae/')).toBe('\xc0\xae\xc0\xae/');
  });

  it('leaves malformed escapes alone', () => {
    expect(urlDecode('100% sure %zz %')).toBe('100% sure %zz %');
  });

  it('decodes at most three rounds', () => {
    expect(urlDecode('%252e')).toBe('.');
    expect(urlDecode('%25252e')).toBe('.');
    expect(urlDecode('%2525252e')).toBe('%2e');
  });
});

describe('htmlDecode', () => {
  it('decodes named, decimal and hex references, with or without semicolons', () => {
    expect(htmlDecodeOnce('&lt;&#106;&#0000097&#x76;&#x61;&colon;&gt;')).toBe('<java:>');
  });

  it('leaves unknown names and out-of-range code points alone', () => {
    expect(htmlDecodeOnce('AT&T &bogus; &#9999999;')).toBe('AT&T &bogus; &#9999999;');
  });

  it('alternates with URL decoding', () => {
    expect(webDecode('%26lt%3Bscript%26gt%3B')).toBe('<script>');
  });
});

describe('jsUnescape', () => {
  it('decodes \\u and \\x escapes', () => {
    expect(jsUnescape('\\u003cscript\\x3e')).toBe('<script>');
  });
});

describe('stripBlockComments', () => {
  it('replaces closed comments and keeps the body of MySQL versioned comments', () => {
    expect(stripBlockComments('union/**/select', ' ')).toBe('union select');
    expect(stripBlockComments('/*!50000union*/', ' ', true)).toBe(' union ');
    expect(stripBlockComments('expr/*x*/ession', '')).toBe('expression');
  });

  it('stops at an unclosed comment', () => {
    expect(stripBlockComments('a/*b/*c', ' ')).toBe('a/*b/*c');
    expect(stripBlockComments('a/**/b/*c', ' ')).toBe('a b/*c');
  });
});
