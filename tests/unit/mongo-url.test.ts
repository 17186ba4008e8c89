import { describe, expect, it } from 'vitest';
import { withDatabase } from '../../scripts/stack/mongo-url';

describe('withDatabase', () => {
  it('replaces the database of a single-host URL', () => {
    expect(withDatabase('mongodb://127.0.0.1:27018/plp', 't_x')).toBe(
      'mongodb://127.0.0.1:27018/t_x',
    );
  });

  it('keeps the options', () => {
    expect(withDatabase('mongodb://127.0.0.1:27018/plp?a=b&c=d', 't_x')).toBe(
      'mongodb://127.0.0.1:27018/t_x?a=b&c=d',
    );
  });

  it('keeps every host of a multi-host URL', () => {
    expect(withDatabase('mongodb://h1:1,h2:2/old?rs=x', 'new')).toBe(
      'mongodb://h1:1,h2:2/new?rs=x',
    );
  });

  it('keeps credentials', () => {
    expect(withDatabase('mongodb://user:p%40ss@db.local:27017/plp?authSource=admin', 'n')).toBe(
      'mongodb://user:p%40ss@db.local:27017/n?authSource=admin',
    );
  });

  it('handles mongodb+srv URLs', () => {
    expect(withDatabase('mongodb+srv://u:p@cluster0.example.net/plp?retryWrites=true', 'n')).toBe(
      'mongodb+srv://u:p@cluster0.example.net/n?retryWrites=true',
    );
  });

  it('adds the database to a URL without one', () => {
    expect(withDatabase('mongodb://127.0.0.1:27018', 'n')).toBe('mongodb://127.0.0.1:27018/n');
    expect(withDatabase('mongodb://127.0.0.1:27018/', 'n')).toBe('mongodb://127.0.0.1:27018/n');
    expect(withDatabase('mongodb://h:1/?replicaSet=rs0', 'n')).toBe(
      'mongodb://h:1/n?replicaSet=rs0',
    );
  });

  it.each([
    'postgres://127.0.0.1:5432/plp',
    'http://127.0.0.1:27017/plp',
    'mongodb://',
    '127.0.0.1:27017/plp',
    '',
  ])('throws for %j', (url) => {
    expect(() => withDatabase(url, 'n')).toThrow(`not a MongoDB URL: ${url}`);
  });
});
