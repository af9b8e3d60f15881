// Test support only: reads Project Wycheproof vector files from `<repo>/../shared/vectors` at
// test time (CI keeps shared/ beside the clone) and checks their shape. Not exported by index.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WYCHEPROOF_DIR = fileURLToPath(
  new URL('../../../shared/vectors/wycheproof/', import.meta.url),
);

export type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

/** One test case; hex fields stay strings, callers decode what their schema defines. */
export interface WycheproofTest {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: WycheproofResult;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface WycheproofGroup {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly tests: readonly WycheproofTest[];
}

export function loadWycheproof(fileName: string): readonly WycheproofGroup[] {
  const parsed: unknown = JSON.parse(readFileSync(WYCHEPROOF_DIR + fileName, 'utf8'));
  const groups = record(parsed, fileName)['testGroups'];
  if (!Array.isArray(groups)) throw new Error(`${fileName}: testGroups is not an array`);
  return groups.map((group: unknown) => {
    const fields = record(group, fileName);
    const tests = fields['tests'];
    if (!Array.isArray(tests)) throw new Error(`${fileName}: tests is not an array`);
    return { fields, tests: tests.map((test: unknown) => toTest(test, fileName)) };
  });
}

/** Reads a hex field as bytes. */
export function hexField(fields: Readonly<Record<string, unknown>>, name: string): Buffer {
  return Buffer.from(stringField(fields, name), 'hex');
}

export function stringField(fields: Readonly<Record<string, unknown>>, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string') throw new Error(`field ${name} is not a string`);
  return value;
}

export function numberField(fields: Readonly<Record<string, unknown>>, name: string): number {
  const value = fields[name];
  if (typeof value !== 'number') throw new Error(`field ${name} is not a number`);
  return value;
}

function toTest(value: unknown, fileName: string): WycheproofTest {
  const fields = record(value, fileName);
  const { tcId, comment, flags, result } = fields;
  if (
    typeof tcId !== 'number' ||
    typeof comment !== 'string' ||
    !Array.isArray(flags) ||
    !flags.every((flag: unknown): flag is string => typeof flag === 'string') ||
    (result !== 'valid' && result !== 'invalid' && result !== 'acceptable')
  ) {
    throw new Error(`${fileName}: malformed test case`);
  }
  return { tcId, comment, flags, result, fields };
}

function record(value: unknown, fileName: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${fileName}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}
