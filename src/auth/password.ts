// argon2id password hashing in PHC format (OWASP: m=19 MiB, t=2, p=1). Verification of an
// unknown account burns the same work against a dummy hash, so timing does not reveal it.

import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id`; the package's const enum cannot be imported under isolatedModules. */
const ARGON2ID = 2;

export interface HashParams {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const DEFAULT_HASH_PARAMS: HashParams = {
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
};

export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly params: HashParams = DEFAULT_HASH_PARAMS) {}

  hash(password: string): Promise<string> {
    return hash(password, { algorithm: ARGON2ID, ...this.params });
  }

  /** True when `password` matches `phc`; with no stored hash, does equal work and says false. */
  async verify(phc: string | undefined, password: string): Promise<boolean> {
    if (phc === undefined) {
      this.dummyHash ??= this.hash('dummy password for timing equality');
      await verify(await this.dummyHash, password).catch(() => false);
      return false;
    }
    try {
      return await verify(phc, password);
    } catch {
      return false;
    }
  }

  /** Whether a stored hash was made with other parameters and should be replaced. */
  needsRehash(phc: string): boolean {
    const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
    if (!m) return true;
    return (
      Number(m[1]) !== this.params.memoryCost ||
      Number(m[2]) !== this.params.timeCost ||
      Number(m[3]) !== this.params.parallelism
    );
  }
}
