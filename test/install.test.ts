// `npm install` on the Node version package.json promises must not warn EBADENGINE: every package
// the lockfile installs accepts that version (issue 13: cookie@2 and content-disposition@3 wanted
// Node 22, so light-my-request and @fastify/swagger-ui are held at releases that do not).

import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  version?: string;
  engines?: Record<string, string> | string[];
  dev?: boolean;
  optional?: boolean;
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, LockedPackage>;
};

/** The lowest Node release package.json accepts, e.g. 20.19.0 for ">=20.19". */
const oldestSupportedNode = semver.minVersion(manifest.engines.node)?.version ?? '';

describe('installed packages and the supported Node versions', () => {
  it('names a supported Node range', () => {
    expect(oldestSupportedNode).toBe('20.19.0');
    expect(semver.satisfies(process.version, manifest.engines.node)).toBe(true);
  });

  it('installs no package that refuses the oldest supported Node or the running one', () => {
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .flatMap(([path, pkg]) => {
        const range = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
        if (range === undefined) return [];
        const accepts = (version: string) =>
          semver.satisfies(version, range, { includePrerelease: true });
        return accepts(oldestSupportedNode) && accepts(process.version)
          ? []
          : [`${path.replace(/^.*node_modules\//, '')}@${pkg.version} wants node ${range}`];
      });
    expect(refusing).toEqual([]);
  });
});
