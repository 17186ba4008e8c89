/**
 * Lambda bundles replace the whatwg-url package with Node's own URL
 * (scripts/bundling/whatwg-url-native.cjs, wired by serverless.yml's esbuild alias). The MongoDB
 * driver parses every connection string through it, so this bundles mongodb-connection-string-url
 * with that alias and checks it parses the same strings exactly as the package does.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/stack/paths';
import { lambdaBundleOptions } from '../helpers/bundle';

type ConnectionStringClass = new (
  uri: string,
  options?: { looseValidation?: boolean },
) => URL & { hosts: string[]; isSRV: boolean; typedSearchParams<T>(): T };

const nodeRequire = createRequire(__filename);
const dir = mkdtempSync(join(tmpdir(), 'whatwg-url-native-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bundledWithAlias(): { ConnectionString: ConnectionStringClass; code: string } {
  const yml = load(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')) as {
    custom: { esbuild: { alias: Record<string, string> } };
  };
  const outfile = join(dir, 'connection-string.js');
  buildSync({
    ...lambdaBundleOptions("module.exports = require('mongodb-connection-string-url');"),
    outfile,
    alias: yml.custom.esbuild.alias,
  });
  return { ConnectionString: nodeRequire(outfile).default, code: readFileSync(outfile, 'utf8') };
}

const original = nodeRequire('mongodb-connection-string-url').default as ConnectionStringClass;
const bundled = bundledWithAlias();

const CONNECTION_STRINGS = [
  'mongodb://127.0.0.1:27018/plp',
  'mongodb://localhost',
  'mongodb://user:p%40ss%3Aw0rd@host1:27017,host2:27018,[::1]:27019/db?replicaSet=rs0&authSource=admin',
  'mongodb+srv://app:secret@cluster0.abcde.mongodb.net/plp?retryWrites=true&w=majority&appName=plp',
  'mongodb://h/?readPreference=secondaryPreferred&readPreferenceTags=dc:ny,rack:1&readPreferenceTags=',
  'mongodb://h/d%C3%A9j%C3%A0?tls=true&tlsCAFile=%2Fetc%2Fssl%2Fca.pem&compressors=zstd,zlib',
  'mongodb://Host.Example.COM:27017/Plp?AuthMechanism=SCRAM-SHA-256',
  // Hosts are checked by the driver later, not by URL parsing.
  'mongodb://h:notaport/db',
  'mongodb://%E2%9C%93user:%E2%9C%93@h/',
];

const INVALID = [
  'http://localhost/plp',
  'mongodb://',
  'mongodb://user@name:pw@h/',
  'MONGODB://h/db',
  'mongodb://us%zzer:pw@h/db',
];

function describeUrl(url: InstanceType<ConnectionStringClass>) {
  return {
    href: url.href,
    string: url.toString(),
    protocol: url.protocol,
    username: url.username,
    password: url.password,
    hosts: url.hosts,
    isSRV: url.isSRV,
    pathname: url.pathname,
    search: url.search,
    params: [...url.searchParams.entries()],
    authSource: url.searchParams.get('AUTHSOURCE'),
  };
}

function outcome(Class: ConnectionStringClass, uri: string) {
  try {
    return { ok: describeUrl(new Class(uri)) };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

describe('whatwg-url replaced by Node URL in bundles', () => {
  it('the bundle holds no copy of whatwg-url or tr46', () => {
    expect(bundled.code).toContain('whatwg-url-native.cjs');
    expect(bundled.code).not.toMatch(/node_modules\/(whatwg-url|tr46)\//);
  });

  it.each(CONNECTION_STRINGS)('parses %s exactly as the package does', (uri) => {
    const expected = outcome(original, uri);
    expect(expected.ok).toBeDefined();
    expect(outcome(bundled.ConnectionString, uri)).toEqual(expected);
  });

  it.each(INVALID)('refuses %s as the package does', (uri) => {
    const expected = outcome(original, uri);
    expect(expected.error).toBeDefined();
    expect(outcome(bundled.ConnectionString, uri)).toEqual(expected);
  });

  it('edits (host list, search parameters) give the same string', () => {
    const edit = (Class: ConnectionStringClass) => {
      const url = new Class('mongodb://a:1,b:2/db?w=1');
      url.hosts.push('c:3');
      url.searchParams.set('appName', 'plp lambda');
      url.searchParams.delete('W');
      return url.toString();
    };
    expect(edit(bundled.ConnectionString)).toBe(edit(original));
  });
});
