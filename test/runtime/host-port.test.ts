import { describe, expect, it } from 'vitest';
import { parseListen } from '../../src/runtime/host-port.js';

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:9470', { host: '127.0.0.1', port: 9470 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['localhost:65535', { host: 'localhost', port: 65535 }],
    ['gpu-node-1.example:9400', { host: 'gpu-node-1.example', port: 9400 }],
    ['[::1]:9400', { host: '::1', port: 9400 }],
    ['[fe80::1%eth0]:80', { host: 'fe80::1%eth0', port: 80 }],
  ])('reads %s', (text, want) => {
    expect(parseListen(text)).toEqual(want);
    expect(parseListen(text, { defaultHost: '0.0.0.0' })).toEqual(want);
  });

  it('fills an empty host only when a default is given', () => {
    expect(parseListen(':9400', { defaultHost: '0.0.0.0' })).toEqual({ host: '0.0.0.0', port: 9400 });
    expect(parseListen(':9400')).toBeUndefined();
  });

  it.each(['nope', '9400', 'host:', 'host:65536', 'host:123456', 'a:b:1', '::1:80', '[::1]', 'host:-1', 'host: 80', ''])('rejects %j', (text) => {
    expect(parseListen(text, { defaultHost: '0.0.0.0' })).toBeUndefined();
  });
});
