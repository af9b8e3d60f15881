// Test support only: reads the RFC 6962 proof vectors (transparency-dev/merkle) from
// `<repo>/../shared/vectors/rfc6962` at test time. Not part of the audit module's API.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The leaves of the reference tree in ../shared/vectors/README.md, as hex. */
export const REFERENCE_LEAVES: readonly string[] = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];

/** The reference tree's root for its first 0, 1, … 8 leaves (index = tree size), hex. */
export const REFERENCE_ROOTS: readonly string[] = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

export const RFC6962_DIR = fileURLToPath(
  new URL('../../../shared/vectors/rfc6962/', import.meta.url),
);

export interface InclusionVector {
  readonly file: string;
  readonly leafIdx: number;
  readonly treeSize: number;
  readonly root: Buffer;
  readonly leafHash: Buffer;
  /** `null` in the JSON (no proof) is kept as null. */
  readonly proof: Buffer[] | null;
  readonly desc: string;
  readonly wantErr: boolean;
}

export interface ConsistencyVector {
  readonly file: string;
  readonly size1: number;
  readonly size2: number;
  readonly root1: Buffer;
  readonly root2: Buffer;
  readonly proof: Buffer[] | null;
  readonly desc: string;
  readonly wantErr: boolean;
}

export function loadInclusionVectors(): InclusionVector[] {
  return jsonFiles('inclusion').map(({ file, fields }) => ({
    file,
    leafIdx: num(fields, 'leafIdx', file),
    treeSize: num(fields, 'treeSize', file),
    root: b64(fields, 'root', file),
    leafHash: b64(fields, 'leafHash', file),
    proof: proof(fields, file),
    desc: str(fields, 'desc', file),
    wantErr: bool(fields, 'wantErr', file),
  }));
}

export function loadConsistencyVectors(): ConsistencyVector[] {
  return jsonFiles('consistency').map(({ file, fields }) => ({
    file,
    size1: num(fields, 'size1', file),
    size2: num(fields, 'size2', file),
    root1: b64(fields, 'root1', file),
    root2: b64(fields, 'root2', file),
    proof: proof(fields, file),
    desc: str(fields, 'desc', file),
    wantErr: bool(fields, 'wantErr', file),
  }));
}

type Fields = Readonly<Record<string, unknown>>;

function jsonFiles(folder: string): { file: string; fields: Fields }[] {
  const root = join(RFC6962_DIR, folder);
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const file = relative(RFC6962_DIR, join(root, name));
      const parsed: unknown = JSON.parse(readFileSync(join(root, name), 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error(`${file}: expected a JSON object`);
      }
      return { file, fields: parsed as Fields };
    });
}

function proof(fields: Fields, file: string): Buffer[] | null {
  const value = fields['proof'];
  if (value === null) return null;
  if (!Array.isArray(value)) throw new Error(`${file}: proof is neither null nor an array`);
  return value.map((item: unknown) => {
    if (typeof item !== 'string') throw new Error(`${file}: proof item is not a string`);
    return Buffer.from(item, 'base64');
  });
}

function num(fields: Fields, name: string, file: string): number {
  const value = fields[name];
  if (typeof value !== 'number') throw new Error(`${file}: ${name} is not a number`);
  return value;
}

function str(fields: Fields, name: string, file: string): string {
  const value = fields[name];
  if (typeof value !== 'string') throw new Error(`${file}: ${name} is not a string`);
  return value;
}

function b64(fields: Fields, name: string, file: string): Buffer {
  return Buffer.from(str(fields, name, file), 'base64');
}

function bool(fields: Fields, name: string, file: string): boolean {
  const value = fields[name];
  if (typeof value !== 'boolean') throw new Error(`${file}: ${name} is not a boolean`);
  return value;
}
