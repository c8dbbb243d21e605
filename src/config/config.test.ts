import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError, describeSettings } from './index.js';

function expectConfigError(env: Record<string, string>, variable: string, pattern: RegExp): void {
  assert.throws(
    () => loadConfig(env, '/srv'),
    (err: unknown) => err instanceof ConfigError && err.code === 'INVALID_CONFIG' && err.details?.['variable'] === variable && pattern.test(err.message),
  );
}

describe('loadConfig', () => {
  it('applies defaults: port 4000, embedded database under ./data', () => {
    const config = loadConfig({}, '/srv');
    assert.equal(config.PORT, 4000);
    assert.equal(config.DATABASE_URL, undefined);
    assert.equal(config.DATA_DIR, '/srv/data');
    assert.equal(config.HUB_ORIGIN, 'http://127.0.0.1:4000');
    assert.ok(Object.isFrozen(config));
  });

  it('reads the environment', () => {
    const config = loadConfig({ PORT: '8080', HOST: '0.0.0.0', DATABASE_URL: 'postgres://u@db/x', LOG_LEVEL: 'debug', HUB_ORIGIN: 'https://hub.example.org/' }, '/srv');
    assert.equal(config.PORT, 8080);
    assert.equal(config.DATABASE_URL, 'postgres://u@db/x');
    assert.equal(config.LOG_LEVEL, 'debug');
    assert.equal(config.HUB_ORIGIN, 'https://hub.example.org');
  });

  describe('when a setting is invalid', () => {
    it('names PORT when it is not a number', () => expectConfigError({ PORT: 'abc' }, 'PORT', /^PORT .*"abc"/));
    it('names PORT when it is out of range', () => expectConfigError({ PORT: '70000' }, 'PORT', /^PORT must be between/));
    it('names DATABASE_URL when it is not a postgres URL, without printing a password', () => {
      expectConfigError({ DATABASE_URL: 'mysql://u:secret@db/x' }, 'DATABASE_URL', /^DATABASE_URL must be a postgres/);
      assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://u:secret@db/x' }), (e: Error) => !e.message.includes('secret'));
    });
    it('names LOG_LEVEL', () => expectConfigError({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /^LOG_LEVEL must be one of/));
    it('names HUB_ORIGIN when it has a path', () => expectConfigError({ HUB_ORIGIN: 'https://x.org/api' }, 'HUB_ORIGIN', /^HUB_ORIGIN must be/));
    it('names DATABASE_READ_URL when it is not a postgres URL, or there is no primary to replicate', () => {
      expectConfigError({ DATABASE_URL: 'postgres://u@db/x', DATABASE_READ_URL: 'http://u:secret@replica/x' }, 'DATABASE_READ_URL', /^DATABASE_READ_URL must be a postgres/);
      assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://u@db/x', DATABASE_READ_URL: 'http://u:secret@replica/x' }), (e: Error) => !e.message.includes('secret'));
      expectConfigError({ DATABASE_READ_URL: 'postgres://u@replica/x' }, 'DATABASE_READ_URL', /needs DATABASE_URL/);
      expectConfigError({ DATABASE_URL: 'postgres://u@db/x', DATABASE_READ_URL: 'postgres://u@replica/x', DATABASE_READ_MAX_WAIT_MS: '-5' }, 'DATABASE_READ_MAX_WAIT_MS', /^DATABASE_READ_MAX_WAIT_MS/);
      assert.equal(loadConfig({ DATABASE_URL: 'postgres://u@db/x', DATABASE_READ_URL: 'postgres://u@replica/x' }).DATABASE_READ_MAX_WAIT_MS, 100);
    });
  });

  describe('with a config file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wildintel-config-'));
    const file = path.join(dir, 'hub.json');
    writeFileSync(file, JSON.stringify({ PORT: 5000, LOG_LEVEL: 'warn' }));

    it('reads it, and the environment wins', () => {
      const config = loadConfig({ WILDINTEL_CONFIG: file, LOG_LEVEL: 'error' });
      assert.equal(config.PORT, 5000);
      assert.equal(config.LOG_LEVEL, 'error');
    });

    it('refuses unknown keys', () => {
      const bad = path.join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ PROT: 1 }));
      expectConfigError({ WILDINTEL_CONFIG: bad }, 'PROT', /unknown setting PROT/);
    });
  });

  it('describes every setting', () => {
    const names = describeSettings().map((s) => s.name);
    assert.deepEqual(names.slice(0, 6), ['PORT', 'HOST', 'DATABASE_URL', 'DATA_DIR', 'LOG_LEVEL', 'HUB_ORIGIN']);
    assert.equal(describeSettings().find((s) => s.name === 'PORT')?.default, '4000');
  });
});
