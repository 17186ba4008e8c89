import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cassandraJvmArgs, cassandraYaml, singleNode } from '../../scripts/stack/cassandra';
import { paths } from '../../scripts/stack/paths';
import {
  RING_ADDRESSES,
  ringConnectionEnv,
  ringDir,
  ringNode,
  ringToken,
} from '../../scripts/stack/ring';

/** The `key: value` lines of a generated cassandra.yaml (flat keys only). */
function settings(yaml: string): Map<string, string> {
  return new Map(
    yaml
      .split('\n')
      .filter((line) => /^[a-z_]+: /.test(line))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
  );
}

describe('the single node of npm run dev and the tests', () => {
  const yaml = cassandraYaml(singleNode(9042, 7010));

  it('listens on 127.0.0.1 with the project ports and its data under .local/data', () => {
    const s = settings(yaml);
    expect(s.get('listen_address')).toBe('127.0.0.1');
    expect(s.get('rpc_address')).toBe('127.0.0.1');
    expect(s.get('native_transport_port')).toBe('9042');
    expect(s.get('storage_port')).toBe('7010');
    expect(s.get('cluster_name')).toBe('plp-local');
    expect(s.get('commitlog_directory')).toBe(join(paths.data, 'cassandra', 'commitlog'));
    expect(yaml).toContain('- seeds: "127.0.0.1:7010"');
  });
});

describe('the three-node ring', () => {
  const nodes = RING_ADDRESSES.map((_, index) => ringNode(index));

  it('puts each node on its own loopback address, none on the single node’s 127.0.0.1', () => {
    const addresses = nodes.map((node) => settings(cassandraYaml(node)).get('listen_address'));
    expect(addresses).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    for (const node of nodes) {
      const s = settings(cassandraYaml(node));
      expect(s.get('rpc_address')).toBe(node.address);
      expect(cassandraYaml(node)).not.toContain('127.0.0.1');
      expect(s.get('cluster_name')).toBe('plp-ring');
    }
  });

  it('gives every node its own data, commit log, configuration and log folders', () => {
    const folders = nodes.flatMap((node) => {
      const s = settings(cassandraYaml(node));
      return [s.get('commitlog_directory'), s.get('hints_directory'), node.confDir, node.logDir];
    });
    expect(new Set(folders).size).toBe(folders.length);
    for (const folder of folders) expect(folder?.startsWith(`${ringDir}/`)).toBe(true);
  });

  it('lists every node as a seed, so any one that is up lets another rejoin', () => {
    for (const node of nodes) {
      expect(cassandraYaml(node)).toContain(
        '- seeds: "127.0.0.2:7010,127.0.0.3:7010,127.0.0.4:7010"',
      );
    }
  });

  it('spreads one token per node evenly over the Murmur3 range', () => {
    expect([0, 1, 2].map((i) => ringToken(i, 3))).toEqual([
      '-9223372036854775808',
      '-3074457345618258603',
      '3074457345618258602',
    ]);
    expect(nodes.map((node) => settings(cassandraYaml(node)).get('initial_token'))).toEqual([
      '-9223372036854775808',
      '-3074457345618258603',
      '3074457345618258602',
    ]);
  });

  it('runs each JVM with a fixed, bounded heap and opens no JMX port', () => {
    const args = cassandraJvmArgs(
      ringNode(1),
      { yaml: '/c/cassandra.yaml', logback: '/c/logback.xml', jamm: '/l/jamm.jar' },
      '640M',
    );
    expect(args).toContain('-Xms640M');
    expect(args).toContain('-Xmx640M');
    expect(args).toContain('-Dcassandra.config=file:///c/cassandra.yaml');
    // Cassandra opens JMX only when told a port (cassandra.jmx.*.port, com.sun.management.jmxremote).
    expect(args.filter((arg) => arg.startsWith('-D') && /jmx/i.test(arg))).toEqual([]);
  });

  it('points the app at all three nodes', () => {
    expect(ringConnectionEnv('plp_ring')).toEqual({
      CASSANDRA_CONTACT_POINTS: '127.0.0.2:9042,127.0.0.3:9042,127.0.0.4:9042',
      CASSANDRA_LOCAL_DC: 'datacenter1',
      CASSANDRA_KEYSPACE: 'plp_ring',
    });
  });
});
