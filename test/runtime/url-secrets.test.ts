import { describe, expect, it } from 'vitest';
import { secretsInUrl } from '../../src/runtime/url-secrets.js';

describe('secrets written into URLs', () => {
  it('finds userinfo and credential-named query parameters, at their offsets', () => {
    const url = 'http://alice:s3cret@hooks.example/x?team=a&access_token=abc&sig=1';
    const found = secretsInUrl(url);
    expect(found.map((s) => s.what)).toEqual(['a user and password in the URL', 'the query parameter "access_token"', 'the query parameter "sig"']);
    expect(found.map((s) => url.slice(s.offset, s.offset + 5))).toEqual(['alice', 'acces', 'sig=1']);
    expect(secretsInUrl('https://TOKEN123@hooks.example/')[0]!.what).toBe('a user name (often a token) in the URL');
    expect(secretsInUrl('https://h.example/?api%5Fkey=1').map((s) => s.what)).toEqual(['the query parameter "api_key"']);
  });

  it('leaves ordinary URLs alone', () => {
    for (const url of [
      'https://hooks.example.internal/alerts?team=infra&channel=gpu',
      'http://127.0.0.1:9093/api/v2/alerts',
      'https://h.example/path/with@sign?keyboard=1&monkey=2',
      'not a url ?token=1',
    ])
      expect(secretsInUrl(url), url).toEqual([]);
  });
});
